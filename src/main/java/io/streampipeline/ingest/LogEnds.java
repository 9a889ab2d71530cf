package io.streampipeline.ingest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The ends of the logs a lane reads, as its read_committed consumer sees them (the last stable offset), asked
 * through the lane's admin client. Not through the consumer: the client runs such a call on its one thread between
 * polls, blocking them, and the broker answers a connection's requests in order, so the call waits behind a fetch
 * the broker holds; asked four times a second, the ends kept the consumer from polling most of the time.
 */
final class LogEnds {
  private static final ListOffsetsOptions COMMITTED = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);

  private final Admin admin;
  private final String topic;
  private final Context context;

  LogEnds(Admin admin, String topic, Context context) {
    this.admin = admin;
    this.topic = topic;
    this.context = context;
  }

  /** Each partition's end; the answer comes on the lane's context. */
  Future<Map<Integer, Long>> of(Set<Integer> partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
    return Future.fromCompletionStage(admin.listOffsets(latest, COMMITTED).all().toCompletionStage(), context)
        .map(answer -> {
          Map<Integer, Long> ends = new HashMap<>();
          answer.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
          return ends;
        });
  }
}
