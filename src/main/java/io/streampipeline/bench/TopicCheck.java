package io.streampipeline.bench;

import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Untimed, after the replay: did every committed window and dead letter reach its topic? The tables alone cannot
 * say: a build whose outbox sent nothing would store the same rows. Reads the topic from its start to its end
 * offsets and compares the distinct message keys with the keys the table says must be there (window_id for the
 * aggregated topic, {@code topic:partition:offset} for the DLQ). The topics are at least once, so a key may come
 * more than once; none may be missing, and none may be there that the table does not hold.
 */
final class TopicCheck {
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(3);

  record Result(long messages, long distinctKeys, long missing, long unexpected, String firstMissing) {
    boolean exact() {
      return missing == 0 && unexpected == 0;
    }

    JsonObject toJson() {
      return new JsonObject().put("messages", messages).put("distinct_keys", distinctKeys).put("missing", missing)
          .put("unexpected", unexpected).put("first_missing", firstMissing);
    }
  }

  /** The windows: one key per row of aggregated_metrics. */
  static final String WINDOW_KEYS = "SELECT window_id FROM aggregated_metrics";
  /** The dead letters: the key the publisher gives each one (DESIGN: topic:partition:offset). */
  static final String DEAD_LETTER_KEYS =
      "SELECT source_topic || ':' || source_partition || ':' || source_offset FROM dead_letter_events";

  private TopicCheck() {
  }

  static Result check(Endpoints endpoints, String topic, Connection db, String keysSql) throws SQLException {
    Set<String> expected = new HashSet<>();
    try (PreparedStatement st = db.prepareStatement(keysSql); ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        expected.add(rs.getString(1));
      }
    }
    Set<String> seen = new HashSet<>();
    long messages = 0;
    Map<String, Object> props = new HashMap<>(KafkaClients.consumer(endpoints, "stream-pipeline-bench-topic-check",
        "stream-pipeline-bench-topic-check"));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " to its end took over " + READ_TIMEOUT);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          messages++;
          seen.add(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8));
        }
      }
    }
    long missing = 0;
    String firstMissing = null;
    for (String key : expected) {
      if (!seen.contains(key)) {
        missing++;
        firstMissing = firstMissing == null ? key : firstMissing;
      }
    }
    long unexpected = seen.stream().filter(k -> !expected.contains(k)).count();
    return new Result(messages, seen.size(), missing, unexpected, firstMissing);
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
