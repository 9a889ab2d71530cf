package io.streampipeline.ingest;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Pauses and resumes a consumer's partitions with one client call per partition. The Kafka client runs each call
 * later, on its own thread, and a rebalance can take a partition away in between. The client then refuses the
 * call for that partition ({@code IllegalStateException}: no current assignment), and a call that names several
 * partitions stops at the first one refused: the partitions after it stay as they were, paused, while the lane
 * takes them for resumed, and nothing ever resumes them. One call each confines a refusal to the partition that
 * is gone, which needs nothing done.
 */
final class PartitionPauses {
  private PartitionPauses() {
  }

  /** @return completes when every call has run, whether or not a partition was still assigned by then */
  static Future<Void> pause(KafkaConsumer<?, ?> consumer, String topic, Collection<Integer> partitions) {
    return each(partitions, p -> consumer.pause(Set.of(new TopicPartition(topic, p))));
  }

  /** @return completes when every call has run, whether or not a partition was still assigned by then */
  static Future<Void> resume(KafkaConsumer<?, ?> consumer, String topic, Collection<Integer> partitions) {
    return each(partitions, p -> consumer.resume(Set.of(new TopicPartition(topic, p))));
  }

  /** Whether {@code error} is the client refusing a call for a partition a rebalance has taken away. */
  static boolean isUnassigned(Throwable error) {
    return error instanceof IllegalStateException && error.getMessage() != null
        && error.getMessage().startsWith("No current assignment for partition");
  }

  private static Future<Void> each(Collection<Integer> partitions, Function<Integer, Future<Void>> call) {
    List<Future<Void>> calls = new ArrayList<>();
    for (int p : partitions) {
      calls.add(call.apply(p));
    }
    return Future.join(calls).<Void>mapEmpty().otherwiseEmpty();
  }
}
