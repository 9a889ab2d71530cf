package io.streampipeline.ingest;

import io.streampipeline.config.ConfigName;
import io.streampipeline.config.PipelineConfig.OffsetOutOfRange;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.sink.CheckpointClaims.Claimed;
import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where each partition a lane restores is read from: its claimed position checked against the log as the brokers
 * have it now (its start and end, the topic's ID, and for a position with a leader epoch the leader's answer where
 * that epoch ends), the consumer sought there, and every stored position found outside the log reported (an ERROR
 * line and the metric) with what PIPELINE_OFFSET_OUT_OF_RANGE makes of it.
 */
final class PositionSeeker {

  /** The positions found, in the log of topic {@code topicId}. */
  record Sought(String topicId, Map<Integer, StartPosition> positions) {
  }

  private final LaneLog log;
  private final String topic;
  private final OffsetOutOfRange policy;
  private final PipelineMetrics metrics;
  private final PartitionLedger ledger;
  private final KafkaConsumer<byte[], byte[]> consumer;
  /** Reads the topic's ID, which the consumer does not expose. */
  private final KafkaAdminClient admin;

  PositionSeeker(LaneLog log, String topic, OffsetOutOfRange policy, PipelineMetrics metrics, PartitionLedger ledger,
      KafkaConsumer<byte[], byte[]> consumer, KafkaAdminClient admin) {
    this.log = log;
    this.topic = topic;
    this.policy = policy;
    this.metrics = metrics;
    this.ledger = ledger;
    this.consumer = consumer;
    this.admin = admin;
  }

  /** Checks the claimed positions of {@code partitions} (paused) against the log and seeks each to be read. */
  Future<Sought> seek(Map<Integer, Claimed> claimed, Set<TopicPartition> partitions) {
    return currentTopicId().compose(topicId -> consumer.beginningOffsets(partitions)
        .compose(starts -> consumer.endOffsets(partitions).compose(ends -> {
          Map<Integer, StartPosition> suspected = new HashMap<>();
          Map<Integer, StartPosition> positions = positions(claimed, topicId, starts, ends, suspected);
          return seekAll(claimed, positions).compose(validated -> validate(validated, claimed, positions,
              suspected, starts, ends));
        }))
        .map(positions -> new Sought(topicId, positions)));
  }

  /** The topic's ID as the brokers know it now: a topic created again under the same name has another one. */
  Future<String> currentTopicId() {
    return admin.describeTopics(List.of(topic)).map(topics -> topics.get(topic).getTopicId().toString());
  }

  /**
   * @param suspected filled with the partitions whose stored offset is past the end of the same log, with what
   *     applies if the consumer does not find it truncated: they are sought with their epoch first
   */
  private Map<Integer, StartPosition> positions(Map<Integer, Claimed> claimed, String topicId,
      Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, Map<Integer, StartPosition> suspected) {
    Map<Integer, StartPosition> positions = new HashMap<>();
    claimed.forEach((p, claim) -> {
      TopicPartition tp = new TopicPartition(topic, p);
      long logStart = starts.getOrDefault(tp, 0L);
      long logEnd = ends.getOrDefault(tp, 0L);
      StartPosition position = StartPosition.decide(claim.nextOffset(), claim.topicId(), topicId, logStart, logEnd,
          policy);
      if (position.action() == StartPosition.Action.CONTINUE && ledger.hasLostRecords(p)
          && policy == OffsetOutOfRange.HALT) {
        // Reading found records gone from the log; whatever offset is stored now (another owner may have moved it
        // back inside the log since), reading on would skip them.
        position = new StartPosition(StartPosition.Action.HALT, claim.nextOffset(), StartPosition.Reason.OFFSET);
        reportOutside(p, claim, position, logStart, logEnd, "records it was to read were found gone from the log ["
            + logStart + ", " + logEnd + "] while it was read");
      } else if (StartPosition.truncationSuspected(claim.nextOffset(), claim.topicId(), claim.leaderEpoch(), topicId,
          logEnd)) {
        suspected.put(p, position);
        position = new StartPosition(StartPosition.Action.CONTINUE, claim.nextOffset(), StartPosition.Reason.NONE);
      } else if (position.outOfRange()) {
        reportOutside(p, claim, position, logStart, logEnd, position.reason() == StartPosition.Reason.TOPIC_ID
            ? "it was stored for topic ID " + claim.topicId() + " and the topic's ID is now " + topicId
                + ": the topic was deleted and created again, and its new log [" + logStart + ", " + logEnd
                + "] is another one"
            : "it is outside the log [" + logStart + ", " + logEnd + "] (topic re-created, or records removed by "
                + "retention before they were read)");
      }
      positions.put(p, position);
    });
    return positions;
  }

  /** An ERROR line and the metric for a stored position outside the log; {@code why} says how it was found. */
  private void reportOutside(int p, Claimed claim, StartPosition position, long logStart, long logEnd, String why) {
    if (position.action() == StartPosition.Action.HALT) {
      // Nothing of the partition will be read: its whole log is lag.
      metrics.consumerLag(p, logEnd - logStart);
    }
    metrics.offsetOutOfRange(p, position.reason().tag());
    log.error("stored offset {} of {}-{}: {}; PIPELINE_OFFSET_OUT_OF_RANGE={}: {}",
        claim.nextOffset(), topic, p, why, ConfigName.of(policy),
        position.action() == StartPosition.Action.HALT
            ? "the partition is held back until its row in pipeline_checkpoints is corrected or deleted"
            : position.reason() == StartPosition.Reason.TRUNCATED
                ? "reading on from the divergence " + position.readFrom()
                : "reading on from the log start " + position.readFrom());
  }

  /**
   * Seeks each partition to be read. A stored position with its leader epoch is sought with it (KIP-320): the
   * consumer then asks the leader where that epoch ends before it fetches, and learns whether the log was truncated
   * below the position. Returns the partitions sought so.
   */
  private Future<Set<Integer>> seekAll(Map<Integer, Claimed> claimed, Map<Integer, StartPosition> positions) {
    List<Future<Void>> seeks = new ArrayList<>();
    Set<Integer> withEpoch = new HashSet<>();
    positions.forEach((p, position) -> {
      if (position.action() == StartPosition.Action.HALT) {
        return;
      }
      int epoch = storedEpoch(claimed.get(p), position);
      if (epoch >= 0) {
        withEpoch.add(p);
        seeks.add(consumer.asStream().seek(new org.apache.kafka.common.TopicPartition(topic, p),
            new org.apache.kafka.clients.consumer.OffsetAndMetadata(position.readFrom(), Optional.of(epoch), "")));
      } else {
        seeks.add(consumer.seek(new TopicPartition(topic, p), position.readFrom()));
      }
    });
    return Future.all(seeks).map(withEpoch);
  }

  /** The leader epoch a position is sought with: the stored one when reading on from the stored offset, else -1. */
  static int storedEpoch(Claimed claim, StartPosition position) {
    return position.action() == StartPosition.Action.CONTINUE && claim.nextOffset() >= 0
        && position.readFrom() == claim.nextOffset() ? claim.leaderEpoch() : -1;
  }

  /**
   * The position of each partition sought with its leader epoch, once the consumer validated it. With a reset
   * policy (auto.offset.reset) a consumer that finds the log truncated does not fail: it moves the position back to
   * the first offset known to diverge and fetches from there. The position is asked for before any record of the
   * partition is read (it is paused), and the consumer answers only once the validation is done, so a position
   * below the stored offset is exactly a log that diverged below it.
   */
  private Future<Map<Integer, StartPosition>> validate(Set<Integer> withEpoch, Map<Integer, Claimed> claimed,
      Map<Integer, StartPosition> positions, Map<Integer, StartPosition> suspected, Map<TopicPartition, Long> starts,
      Map<TopicPartition, Long> ends) {
    if (withEpoch.isEmpty()) {
      return Future.succeededFuture(positions);
    }
    Map<Integer, StartPosition> validated = new HashMap<>(positions);
    List<Future<Void>> checks = new ArrayList<>();
    for (int p : withEpoch) {
      TopicPartition tp = new TopicPartition(topic, p);
      checks.add(consumer.position(tp).map(at -> {
        Claimed claim = claimed.get(p);
        if (at < claim.nextOffset()) {
          StartPosition truncated = StartPosition.truncated(claim.nextOffset(), at, policy);
          reportOutside(p, claim, truncated, starts.getOrDefault(tp, 0L), ends.getOrDefault(tp, 0L),
              "its log was truncated below it (records read under leader epoch " + claim.leaderEpoch()
                  + " are gone; the leader reports the log diverging at " + at + ", after an unclean leader "
                  + "election or a broker that lost its tail) and the offsets were written again");
          validated.put(p, truncated);
          return null;
        }
        StartPosition outside = suspected.get(p);
        if (outside == null) {
          return null;
        }
        // Past the log's end, yet the leader did not report a divergence: outside the log by its offsets alone.
        long logStart = starts.getOrDefault(tp, 0L);
        long logEnd = ends.getOrDefault(tp, 0L);
        reportOutside(p, claim, outside, logStart, logEnd, "it is outside the log [" + logStart + ", " + logEnd + "]");
        validated.put(p, outside);
        return null;
      }).compose(v -> {
        StartPosition now = validated.get(p);
        // The consumer stands at the stored offset; a reset to the log start moves it there.
        return suspected.containsKey(p) && now.reason() == StartPosition.Reason.OFFSET
            && now.action() == StartPosition.Action.RESET ? consumer.seek(tp, now.readFrom()) : Future.succeededFuture();
      }));
    }
    return Future.all(checks).map(validated);
  }
}
