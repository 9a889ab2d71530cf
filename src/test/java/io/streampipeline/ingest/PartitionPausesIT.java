package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.infra.Topics;
import io.streampipeline.it.support.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A resume that reaches the Kafka client after a rebalance took some of its partitions, against the real broker:
 * the partitions still assigned must run again. The lane decides on its event loop and the client acts later on
 * its own thread, so a revocation in between is an ordinary rebalance, not a corner case; a lane whose partitions
 * stayed paused while it took them for resumed stalled for good.
 */
class PartitionPausesIT {

  @Test
  void aResumeNamingARevokedPartitionStillResumesTheAssignedOnes() throws Exception {
    TestInfra infra = TestInfra.get();
    String topic = "pauses-" + UUID.randomUUID();
    Topics.ensure(infra.bootstrapServers, Map.of(topic, 6));
    Vertx vertx = Vertx.vertx();
    try {
      KafkaConsumer<byte[], byte[]> consumer = KafkaConsumer.create(vertx,
          KafkaClients.consumer(infra.bootstrapServers, KafkaClientProperties.none(), "pauses-" + topic, "pauses"));
      consumer.assign(partitions(topic, 0, 1, 2, 3, 4, 5)).await(30, TimeUnit.SECONDS);
      PartitionPauses.pause(consumer, topic, List.of(0, 1, 2, 3, 4, 5)).await(30, TimeUnit.SECONDS);
      assertEquals(Set.of(0, 1, 2, 3, 4, 5), paused(consumer));

      // Partitions 3, 4 and 5 go to another consumer, as in a cooperative rebalance; the lane's resume, decided
      // before, names all six, a revoked one first.
      consumer.assign(partitions(topic, 0, 1, 2)).await(30, TimeUnit.SECONDS);
      PartitionPauses.resume(consumer, topic, new LinkedHashSet<>(List.of(5, 0, 4, 1, 3, 2)))
          .await(30, TimeUnit.SECONDS);
      assertEquals(Set.of(), paused(consumer), "every partition still assigned runs again");

      PartitionPauses.pause(consumer, topic, new LinkedHashSet<>(List.of(3, 0, 1, 2))).await(30, TimeUnit.SECONDS);
      assertEquals(Set.of(0, 1, 2), paused(consumer), "and a pause naming a revoked partition pauses the others");
      consumer.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Set<TopicPartition> partitions(String topic, int... numbers) {
    Set<TopicPartition> set = new LinkedHashSet<>();
    for (int p : numbers) {
      set.add(new TopicPartition(topic, p));
    }
    return set;
  }

  private static Set<Integer> paused(KafkaConsumer<byte[], byte[]> consumer) throws Exception {
    return consumer.paused().await(30, TimeUnit.SECONDS).stream().map(TopicPartition::getPartition)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
