package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A transactional producer (Kafka Streams, Flink, a Connect sink) aborts a transaction: its records stay in the
 * log but were never meant to exist, so none of them is stored; the committed transactions' records are.
 */
class AbortedTransactionsIT {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private ProducerRecord<String, byte[]> record(String topic, String id, int i, long base) {
    String user = "user_" + (i % 12);
    return new ProducerRecord<>(topic, user, codec.encode(new ClickstreamEvent(id, EventType.PAGE_VIEW,
        base + i * 50L, user, "00000000-0000-4000-8000-000000000001", null, null, null, null, null,
        "https://shop.example/", null, "Mozilla/5.0", "192.0.2.3", "FR", null)));
  }

  @Test
  void recordsOfAbortedTransactionsAreNeverStored() {
    run(ItPipeline.create("aborted"));
  }

  /**
   * Under halt every skip in the offsets is checked before a checkpoint moves past it; the skips of transaction
   * markers and aborted records are no loss and hold nothing back.
   */
  @Test
  void underHaltTheSkipsOfTransactionsHoldNothingBack() {
    Application app = run(ItPipeline.create("aborted-halt", Map.of("PIPELINE_OFFSET_OUT_OF_RANGE", "halt")));
    assertEquals(0, app.metrics().registry().find("stream_pipeline_offset_out_of_range").counters().stream()
        .mapToDouble(Counter::count).sum());
  }

  private Application run(ItPipeline it) {
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-21T08:00:00Z").toEpochMilli();

    Properties props = new Properties();
    props.put("bootstrap.servers", infra.bootstrapServers);
    props.put("transactional.id", "aborted-it-" + UUID.randomUUID());
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 300; i++) {
        producer.send(record(topic, "committed-a-" + i, i, base));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 300; i++) {
        producer.send(record(topic, "aborted-" + i, 300 + i, base));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 300; i++) {
        producer.send(record(topic, "committed-b-" + i, 600 + i, base));
      }
      producer.commitTransaction();
    }

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "the committed transactions stored",
          () -> db.count("SELECT count(*) FROM clickstream_events WHERE event_id LIKE 'committed-%'"),
          n -> n == 600);
      // The aborted records lie before committed-b in every partition: had they been read, they would be stored.
    } finally {
      app.stop();
    }
    assertEquals(0, db.count("SELECT count(*) FROM clickstream_events WHERE event_id LIKE 'aborted-%'"));
    assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"));
    return app;
  }
}
