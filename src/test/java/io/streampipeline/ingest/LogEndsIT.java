package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.infra.Topics;
import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.TestInfra;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The log ends the lane's lag and idle checks use, asked through an admin client: the end a read_committed consumer
 * can reach (the last stable offset), not the log's high watermark, so that an open transaction never shows as lag
 * the lane could read, nor its partition as caught up before the transaction ends.
 */
class LogEndsIT {

  @Test
  void theEndStopsBeforeAnOpenTransaction() throws Exception {
    TestInfra infra = TestInfra.get();
    String topic = "log-ends-" + UUID.randomUUID();
    Topics.ensure(infra.bootstrapServers, Map.of(topic, 1));
    Properties props = new Properties();
    props.put("bootstrap.servers", infra.bootstrapServers);
    props.put("transactional.id", "log-ends-it-" + UUID.randomUUID());
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    Vertx vertx = Vertx.vertx();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        AdminClient admin = AdminClient.create(Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers))) {
      LogEnds ends = new LogEnds(admin, topic, vertx.getOrCreateContext());
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {(byte) i}));
      }
      producer.commitTransaction();
      // The commit returns before the markers are in the partition's log; the end moves once they are.
      awaitEnd(ends, 6L, "five records and the commit marker");

      producer.beginTransaction();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {(byte) i}));
      }
      producer.flush();
      assertEquals(Map.of(0, 6L), end(ends), "the open transaction's records are past the end a reader reaches");

      producer.commitTransaction();
      awaitEnd(ends, 10L, "committed: its three records and marker");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Map<Integer, Long> end(LogEnds ends) throws Exception {
    return ends.of(Set.of(0)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void awaitEnd(LogEnds ends, long expected, String what) {
    Await.until(Duration.ofSeconds(30), what, () -> {
      try {
        return end(ends);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, found -> found.equals(Map.of(0, expected)));
  }
}
