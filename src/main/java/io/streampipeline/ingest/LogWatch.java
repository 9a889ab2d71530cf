package io.streampipeline.ingest;

import io.streampipeline.bus.LaneMessage.IdleAdvance;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.config.ConfigName;
import io.streampipeline.config.PipelineConfig.OffsetOutOfRange;
import io.streampipeline.ingest.LaneStateMachine.Reason;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Watches the logs a lane reads for what the consumer does not report as an error: records removed by retention
 * before they were read (a skip in the offsets), a consumer gone back below what was read (a truncated log), a topic
 * deleted and created again, a log shorter than what was read; and, at each tick, the lag and the partitions gone
 * quiet. What it finds is restored through the lane, which checks the stored position against the log again.
 */
final class LogWatch {
  /**
   * How often the topic's ID is compared with the one the lane's partitions were restored under: a topic deleted
   * and created again while it is read is noticed at most this late (one metadata request per period).
   */
  private static final long TOPIC_ID_CHECK_MS = 5000;
  private static final long RETRY_MS = 1000;

  /** What the watch asks of the lane. */
  interface Lane {
    void restore(Set<Integer> partitions);

    void sendDown(LaneMessage message);

    /** A checkpoint is wanted now. */
    void requestBarrier();

    /** A barrier wanted earlier may be sent now. */
    void sendBarrierIfAllowed();
  }

  private final LaneLog log;
  private final Vertx vertx;
  private final String topic;
  private final OffsetOutOfRange policy;
  private final long idleMs;
  private final PipelineMetrics metrics;
  private final LaneStateMachine machine;
  private final PartitionLedger ledger;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final LogEnds ends;
  private final PositionSeeker seeker;
  private final BooleanSupplier consumerClosed;
  private final Lane lane;
  private long lastTopicIdCheck;
  /** An end-offsets question is out. */
  private boolean endsAsked;

  LogWatch(LaneLog log, Vertx vertx, String topic, OffsetOutOfRange policy, long idleMs, PipelineMetrics metrics,
      LaneStateMachine machine, KafkaConsumer<byte[], byte[]> consumer, LogEnds ends, PositionSeeker seeker,
      BooleanSupplier consumerClosed, Lane lane) {
    this.log = log;
    this.vertx = vertx;
    this.topic = topic;
    this.policy = policy;
    this.idleMs = idleMs;
    this.metrics = metrics;
    this.machine = machine;
    this.ledger = machine.ledger();
    this.consumer = consumer;
    this.ends = ends;
    this.seeker = seeker;
    this.consumerClosed = consumerClosed;
    this.lane = lane;
    this.lastTopicIdCheck = machine.now();
  }

  /**
   * Offsets skipped: harmless for transaction markers and compaction, but if the log now starts after the offset
   * that was expected, retention removed records before they were read. That is reported like a stored offset
   * outside the log. Under {@code halt} no checkpoint is planned until the answer (see
   * {@link PartitionLedger#checkingGap}); a partition that lost records drops what it read after the gap and is
   * restored, which holds it back.
   */
  void gaps(Map<Integer, Long> gaps) {
    boolean halt = policy == OffsetOutOfRange.HALT;
    if (halt) {
      gaps.keySet().forEach(ledger::checkingGap);
    }
    askLogStarts(gaps, halt);
  }

  private void askLogStarts(Map<Integer, Long> gaps, boolean halt) {
    consumer.beginningOffsets(IngestVerticle.topicPartitions(topic, gaps.keySet())).onComplete(answer -> {
      if (answer.failed()) {
        if (halt && !consumerClosed.getAsBoolean()) {
          log.warn("cannot ask where the log of partitions {} starts ({}); checkpoints wait, retrying in {} ms",
              new TreeSet<>(gaps.keySet()), answer.cause().toString(), RETRY_MS);
          vertx.setTimer(RETRY_MS, id -> askLogStarts(gaps, true));
        }
        return;
      }
      answer.result().forEach((tp, start) -> {
        int p = tp.getPartition();
        long expected = gaps.get(p);
        if (start <= expected) {
          return;
        }
        metrics.offsetOutOfRange(p);
        log.error("records {} to {} of {}-{} were removed by retention before they were read; "
            + "PIPELINE_OFFSET_OUT_OF_RANGE={}", expected, start - 1, topic, p, ConfigName.of(policy));
        // A partition restored since (its checks forgotten) read from its stored offset, which that restore checked.
        if (halt && ledger.reading().contains(p) && ledger.awaitsGapCheck(p)) {
          ledger.lostRecords(p);
          // Nothing read after the gap may be counted or written, not even with another partition's checkpoint.
          lane.sendDown(new PartitionsRevoked(Set.of(p)));
          lane.restore(Set.of(p));
        }
      });
      if (halt) {
        gaps.keySet().forEach(ledger::gapChecked);
        lane.sendBarrierIfAllowed();
      }
    });
  }

  /**
   * The consumer went back below what was read: after a leader change it validated its position with the leader
   * epoch of the last record fetched, found the log truncated and moved to where it diverged. The partitions are
   * restored: seeking the stored position with its epoch tells whether what was checkpointed is still the log
   * (reason {@code truncated} if not), and what was read since is read again from the log as it is now.
   */
  void rewound(Map<Integer, Long> rewinds) {
    Set<Integer> reading = ledger.reading();
    Set<Integer> restore = new TreeSet<>();
    rewinds.forEach((p, offset) -> {
      if (reading.contains(p)) {
        log.warn("{}-{} went back to offset {} below what was read (the consumer found the log truncated after a "
            + "leader change); restoring the partition to check its stored position", topic, p, offset);
        restore.add(p);
      }
    });
    if (!restore.isEmpty()) {
      lane.restore(restore);
    }
  }

  /** The periodic checks of the partitions being read: the topic's ID, and each log's end. */
  void tick(long now) {
    Set<Integer> reading = ledger.reading();
    if (reading.isEmpty() || machine.isStopping()) {
      return;
    }
    if (now - lastTopicIdCheck >= TOPIC_ID_CHECK_MS) {
      lastTopicIdCheck = now;
      checkTopicId();
    }
    // One question at a time: a slow answer skips ticks rather than queueing more questions behind it.
    if (endsAsked) {
      return;
    }
    endsAsked = true;
    // Positions taken before the end offsets are asked for: the log cannot have ended before them.
    Map<Integer, Long> nextAtRequest = new HashMap<>();
    reading.forEach(p -> nextAtRequest.put(p, ledger.next(p)));
    ends.of(reading).onComplete(answer -> {
      endsAsked = false;
      if (answer.succeeded()) {
        Set<Integer> stillReading = ledger.reading();
        answer.result().forEach((p, end) -> checkEnd(p, end, nextAtRequest, stillReading, now));
      }
    });
  }

  /**
   * A topic deleted and created again while it is read: its offsets count from 0 again, and records the new log has
   * below the lane's position would never be read. The partitions read under the old ID are restored, which
   * compares the ID stored with their positions with the new one (PIPELINE_OFFSET_OUT_OF_RANGE).
   */
  private void checkTopicId() {
    seeker.currentTopicId().onSuccess(id -> {
      Set<Integer> moved = ledger.reading().stream()
          .filter(p -> ledger.topicId(p) != null && !ledger.topicId(p).equals(id)).collect(Collectors.toSet());
      if (!moved.isEmpty() && !machine.isStopping()) {
        log.warn("topic {} now has ID {}, not the one its partitions {} were read under: it was deleted and created "
            + "again; restoring them", topic, id, new TreeSet<>(moved));
        lane.restore(moved);
      }
    });
  }

  /** One partition's log end at a tick: lag, a log shorter than what was read, or an idle partition. */
  private void checkEnd(int p, long end, Map<Integer, Long> nextAtRequest, Set<Integer> stillReading, long now) {
    long next = nextAtRequest.get(p);
    if (!stillReading.contains(p)) {
      return;
    }
    if (next > end) {
      // The log is shorter than what was read: the topic was deleted and created again, or the log was truncated,
      // while running. The restore tells which and reports it (an ERROR line and the metric).
      log.warn("{}-{} ends at {} but {} records were read (the topic was re-created, or its log truncated); "
          + "restoring", topic, p, end, next);
      lane.restore(Set.of(p));
      return;
    }
    long lag = Math.max(0, end - ledger.next(p));
    metrics.consumerLag(p, lag);
    if (!machine.holds(Reason.IN_FLIGHT_LIMIT) && ledger.isIdle(p, lag, now, idleMs)) {
      lane.sendDown(new IdleAdvance(p, now, ledger.quietFor(p, now)));
      // What the advance closes (every window and session of a stream that went quiet) is checkpointed at once,
      // not at the next flush: up to a flush interval sooner in the database and on the aggregated topic.
      // Once per quiet spell; after that the flush timer's barriers carry the watermark on as before.
      if (ledger.startsIdling(p)) {
        lane.requestBarrier();
      }
    }
  }
}
