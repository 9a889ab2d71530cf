package io.streampipeline.ingest;

import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Barrier;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.IdleAdvance;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.LaneMessage.RestoredPartition;
import io.streampipeline.config.ConfigName;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.JsonLogLayout;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.ingest.PartitionLedger.PlannedBarrier;
import io.streampipeline.ingest.PartitionLedger.Settled;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.registry.RegistryGate;
import io.streampipeline.replay.ReplayHeaders;
import io.streampipeline.sink.CheckpointClaims;
import io.streampipeline.sink.CheckpointClaims.Claimed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's Kafka consumer ("processor"): reads clickstream.events, applies the processing rules and sends
 * each poll's outcome down the lane (window → sink) as one batch.
 *
 * <p>It owns the lane's position in each partition, kept in a {@link PartitionLedger}. On assignment it claims
 * each partition in PostgreSQL (a new owner epoch; see docs/design.md, exactly-once protocol), loads its stored
 * offset and window state, checks the offset against the log and seeks, then hands the state down the lane. At
 * each flush it sends a barrier carrying, per partition, the owner epoch, the offset stored now and the next one
 * to read; the sink commits them with the events in one transaction. Kafka offsets are committed only for
 * partitions the sink committed, for lag tools. Too much uncommitted work pauses the consumer, so memory stays
 * bounded while PostgreSQL is slow or down.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(IngestVerticle.class);
  private static final int MAX_OUTSTANDING_CHECKPOINTS = 2;
  /**
   * Lag, log-end and idle checks. A quiet partition is noticed at most this long after WINDOW_IDLE_SECONDS (with a
   * 1 s tick, the windows of a stream that went quiet closed up to a second later than the setting says). One
   * end-offsets request per tick for the lane's partitions.
   */
  private static final long TICK_MS = 250;
  private static final long RESTORE_RETRY_MS = 1000;
  /**
   * How often the topic's ID is compared with the one the lane's partitions were restored under: a topic deleted
   * and created again while it is read is noticed at most this late (one metadata request per period).
   */
  private static final long TOPIC_ID_CHECK_MS = 5000;
  private static final long STATS_PERIOD_MS = 10_000;
  private static final long STOP_TIMEOUT_SECONDS = 60;
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final int lane;
  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final String topic;
  /**
   * SINK_BATCH_SIZE is the process's: its lanes share the traffic, so each checkpoints after its share, and a
   * row waits as long with several lanes as with one.
   */
  private final long checkpointEvents;
  private final PartitionLedger ledger;

  private KafkaConsumer<byte[], byte[]> consumer;
  /** Reads the topic's ID, which the consumer does not expose. */
  private KafkaAdminClient admin;
  private long lastTopicIdCheck = System.currentTimeMillis();
  private Pool pool;
  private RecordProcessor processor;
  private RegistryGate registry;
  private MessageConsumer<CheckpointResult> results;

  private boolean barrierWanted;
  private boolean flowPaused;
  private boolean stopping;
  /**
   * Set once close() is called: vertx-kafka-client restarts a closed consumer's worker on the next call, which
   * would then race the close, so nothing may touch the consumer after it.
   */
  private boolean consumerClosed;
  private long flushTimer;
  private long tickTimer;
  /** Armed by the first event after a barrier: no event waits longer than SINK_MAX_DELAY_MS for its checkpoint. */
  private long delayTimer = -1;
  private Promise<Void> drained;
  private long lastStatsAt = System.currentTimeMillis();
  private long consumedSinceStats;
  private long storedSinceStats;

  public IngestVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.lane = lane;
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.topic = config.kafka().clickstreamTopic();
    this.checkpointEvents = Math.max(1, (config.sink().batchSize() + config.lanes().instances() - 1)
        / config.lanes().instances());
    this.ledger = new PartitionLedger(MAX_OUTSTANDING_CHECKPOINTS, config.lanes().maxInFlightEvents(),
        config.lanes().maxInFlightBytes());
  }

  @Override
  public Future<?> start() {
    context.put(JsonLogLayout.LANE, lane);
    processor = new RecordProcessor(topic, metrics, config.lanes().inputLimits());
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("ingest-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    results = vertx.eventBus().consumer(Addresses.laneIngest(lane), msg -> onCheckpointResult(msg.body()));
    consumer = KafkaConsumer.create(vertx, KafkaClients.consumer(endpoints,
        config.kafka().consumerGroup(), "stream-pipeline-lane-" + lane + "-" + ProcessIdentity.id()));
    consumer.pollTimeout(POLL_TIMEOUT);
    admin = KafkaAdminClient.create(vertx, KafkaClients.admin(endpoints,
        "stream-pipeline-lane-" + lane + "-" + ProcessHandle.current().pid()));
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    // The client reports from its own thread: the line is logged on the lane's context, so it names the lane. A
    // wake-up while stopping is the close interrupting a poll, not an error.
    consumer.exceptionHandler(e -> context.runOnContext(v -> {
      if (!(stopping && e instanceof WakeupException)) {
        log.warn("lane {}: Kafka consumer error: {}", lane, e.toString());
      }
    }));
    registry = RegistryGate.create(vertx, config.schemaRegistry(), ClickstreamCodec.V1, "ClickstreamEvent v1",
        "lane " + lane, this::onRecords, this::pauseForRegistry, this::resumeAfterRegistry);
    processor.codec().useRegistry(registry.schemas());
    consumer.batchHandler(records -> registry.offer(records.records()));
    flushTimer = vertx.setPeriodic(config.sink().flushIntervalMs(), id -> requestBarrier());
    tickTimer = vertx.setPeriodic(TICK_MS, id -> onTick());
    return Future.all(results.completion(), consumer.subscribe(topic))
        .onSuccess(v -> log.info("lane {}: consuming {} as group {}", lane, topic, config.kafka().consumerGroup()));
  }

  /** With the cooperative assignor this names only the partitions added; the others keep their state. */
  private void onAssigned(Set<TopicPartition> partitions) {
    Set<Integer> mine = partitionNumbers(partitions);
    if (mine.isEmpty()) {
      return;
    }
    log.info("lane {}: assigned partitions {}", lane, new TreeSet<>(mine));
    ledger.assigned(mine);
    restore(mine);
  }

  private void onRevoked(Set<TopicPartition> partitions) {
    Set<Integer> gone = partitionNumbers(partitions);
    if (gone.isEmpty()) {
      return;
    }
    log.info("lane {}: revoked partitions {}", lane, new TreeSet<>(gone));
    ledger.revoked(gone);
    gone.forEach(metrics::partitionRevoked);
    sendDown(new PartitionsRevoked(gone));
  }

  /**
   * Takes partitions over from their checkpoint: stop reading them, claim a new owner epoch and load offset and
   * window state, check the offset against the log, seek, hand the state down the lane, read again. Used on
   * assignment and after a refused checkpoint.
   */
  private void restore(Set<Integer> partitions) {
    if (stopping) {
      return;
    }
    registry.forget(partitions);
    Map<Integer, Long> seqs = new HashMap<>();
    partitions.forEach(p -> seqs.put(p, ledger.beginRestore(p)));
    Set<TopicPartition> tps = topicPartitions(partitions);
    consumer.pause(tps)
        .compose(v -> CheckpointClaims.claim(pool, config.kafka().consumerGroup(), topic, partitions))
        .compose(claimed -> currentTopicId().compose(topicId -> consumer.beginningOffsets(tps)
            .compose(starts -> consumer.endOffsets(tps).compose(ends -> {
              Map<Integer, StartPosition> suspected = new HashMap<>();
              Map<Integer, StartPosition> positions = positions(claimed, topicId, starts, ends, suspected);
              return seekAll(claimed, positions).compose(validated -> validate(validated, claimed, positions,
                  suspected, starts, ends));
            }))
            .map(positions -> {
              finishRestore(seqs, claimed, topicId, positions);
              return null;
            })))
        .onFailure(err -> {
          if (stopping) {
            return;
          }
          log.warn("lane {}: restoring partitions {} failed ({}); retrying in {} ms", lane, new TreeSet<>(partitions),
              err.toString(), RESTORE_RETRY_MS);
          vertx.setTimer(RESTORE_RETRY_MS, id -> {
            Set<Integer> still = current(seqs);
            if (!still.isEmpty()) {
              restore(still);
            }
          });
        });
  }

  /** The topic's ID as the brokers know it now: a topic created again under the same name has another one. */
  private Future<String> currentTopicId() {
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
          config.lanes().offsetOutOfRange());
      if (position.action() == StartPosition.Action.CONTINUE && ledger.hasLostRecords(p)
          && config.lanes().offsetOutOfRange() == PipelineConfig.OffsetOutOfRange.HALT) {
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
    log.error("lane {}: stored offset {} of {}-{}: {}; PIPELINE_OFFSET_OUT_OF_RANGE={}: {}", lane,
        claim.nextOffset(), topic, p, why, ConfigName.of(config.lanes().offsetOutOfRange()),
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
  private static int storedEpoch(Claimed claim, StartPosition position) {
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
          StartPosition truncated = StartPosition.truncated(claim.nextOffset(), at, config.lanes().offsetOutOfRange());
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

  private void finishRestore(Map<Integer, Long> seqs, Map<Integer, Claimed> claimed, String topicId,
      Map<Integer, StartPosition> positions) {
    Set<Integer> current = current(seqs);
    if (current.isEmpty()) {
      return;
    }
    // A batch fetched before the seek and offered while the restore ran may still be held for a schema lookup: its
    // records lie anywhere past the position read from now, and handed on first they would read as a gap above it
    // and make the ledger skip the re-fetched records below them.
    registry.forget(current);
    long now = System.currentTimeMillis();
    Map<Integer, RestoredPartition> restored = new HashMap<>();
    Set<Integer> held = new HashSet<>();
    Map<Integer, Long> at = new TreeMap<>();
    for (int p : current) {
      Claimed claim = claimed.get(p);
      StartPosition position = positions.get(p);
      if (position.action() == StartPosition.Action.HALT) {
        ledger.hold(p);
        held.add(p);
        continue;
      }
      ledger.restored(p, claim.ownerEpoch(), claim.nextOffset(), position.readFrom(), now, topicId,
          storedEpoch(claim, position));
      restored.put(p, new RestoredPartition(claim.ownerEpoch(), claim.snapshot(), claim.changes(),
          claim.storedChanges()));
      at.put(p, position.readFrom());
      metrics.restored();
    }
    if (!held.isEmpty()) {
      // Whatever the lane held of them goes: nothing of a held partition is counted or written.
      sendDown(new PartitionsRevoked(held));
    }
    if (!restored.isEmpty()) {
      processor.topicId(topicId);
      sendDown(new PartitionsRestored(restored));
      log.info("lane {}: restored partitions at offsets {}", lane, at);
      if (!flowPaused && !stopping) {
        consumer.resume(topicPartitions(restored.keySet()));
      }
    }
  }

  private Set<Integer> current(Map<Integer, Long> seqs) {
    return seqs.entrySet().stream().filter(e -> ledger.isCurrent(e.getKey(), e.getValue()))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  private void onRecords(List<ConsumerRecord<byte[], byte[]>> records) {
    if (stopping) {
      // Read after the final barrier was planned: not checkpointed, so read again after the restart.
      return;
    }
    List<EnrichedEvent> stored = new ArrayList<>(records.size());
    List<DeadLetter> deadLetters = new ArrayList<>(0);
    long now = System.currentTimeMillis();
    int accepted = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      byte[] value = record.value();
      if (!ledger.accept(record.partition(), record.offset(), record.leaderEpoch().orElse(-1),
          value == null ? 0 : value.length, now)) {
        continue;
      }
      accepted++;
      processor.process(value, record.partition(), record.offset(), record.timestamp(),
          ReplayHeaders.replayOf(record.headers()), stored, deadLetters);
    }
    Map<Integer, Long> gaps = ledger.takeGaps();
    if (!gaps.isEmpty()) {
      checkGaps(gaps);
    }
    Map<Integer, Long> rewinds = ledger.takeRewinds();
    if (!rewinds.isEmpty()) {
      rewound(rewinds);
    }
    if (accepted == 0) {
      return;
    }
    consumedSinceStats += accepted;
    storedSinceStats += stored.size();
    if (!stored.isEmpty() || !deadLetters.isEmpty()) {
      sendDown(new EventBatch(stored, deadLetters));
    }
    if (ledger.overLimit() && !flowPaused) {
      flowPaused = true;
      metrics.lanePaused(true);
      log.info("lane {}: pausing the consumer, {} events not yet committed", lane, ledger.inFlightEvents());
      consumer.pause(topicPartitions(ledger.owned()));
    }
    if (ledger.eventsSinceBarrier() >= checkpointEvents) {
      requestBarrier();
    } else if (delayTimer < 0 && config.sink().maxDelayMs() > 0) {
      delayTimer = vertx.setTimer(config.sink().maxDelayMs(), id -> {
        delayTimer = -1;
        requestBarrier();
      });
    }
  }

  /**
   * Offsets skipped: harmless for transaction markers and compaction, but if the log now starts after the offset
   * that was expected, retention removed records before they were read. That is reported like a stored offset
   * outside the log. Under {@code halt} no checkpoint is planned until the answer (see
   * {@link PartitionLedger#checkingGap}); a partition that lost records drops what it read after the gap and is
   * restored, which holds it back.
   */
  private void checkGaps(Map<Integer, Long> gaps) {
    boolean halt = config.lanes().offsetOutOfRange() == PipelineConfig.OffsetOutOfRange.HALT;
    if (halt) {
      gaps.keySet().forEach(ledger::checkingGap);
    }
    askLogStarts(gaps, halt);
  }

  private void askLogStarts(Map<Integer, Long> gaps, boolean halt) {
    consumer.beginningOffsets(topicPartitions(gaps.keySet())).onComplete(answer -> {
      if (answer.failed()) {
        if (halt && !consumerClosed) {
          log.warn("lane {}: cannot ask where the log of partitions {} starts ({}); checkpoints wait, retrying in {} "
              + "ms", lane, new TreeSet<>(gaps.keySet()), answer.cause().toString(), RESTORE_RETRY_MS);
          vertx.setTimer(RESTORE_RETRY_MS, id -> askLogStarts(gaps, true));
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
        log.error("lane {}: records {} to {} of {}-{} were removed by retention before they were read; "
            + "PIPELINE_OFFSET_OUT_OF_RANGE={}", lane, expected, start - 1, topic, p,
            ConfigName.of(config.lanes().offsetOutOfRange()));
        // A partition restored since (its checks forgotten) read from its stored offset, which that restore checked.
        if (halt && ledger.reading().contains(p) && ledger.awaitsGapCheck(p)) {
          ledger.lostRecords(p);
          // Nothing read after the gap may be counted or written, not even with another partition's checkpoint.
          sendDown(new PartitionsRevoked(Set.of(p)));
          restore(Set.of(p));
        }
      });
      if (halt) {
        gaps.keySet().forEach(ledger::gapChecked);
        sendBarrierIfAllowed();
      }
    });
  }

  /**
   * The consumer went back below what was read: after a leader change it validated its position with the leader
   * epoch of the last record fetched, found the log truncated and moved to where it diverged. The partitions are
   * restored: seeking the stored position with its epoch tells whether what was checkpointed is still the log
   * (reason {@code truncated} if not), and what was read since is read again from the log as it is now.
   */
  private void rewound(Map<Integer, Long> rewinds) {
    Set<Integer> reading = ledger.reading();
    Set<Integer> restore = new TreeSet<>();
    rewinds.forEach((p, offset) -> {
      if (reading.contains(p)) {
        log.warn("lane {}: {}-{} went back to offset {} below what was read (the consumer found the log truncated "
            + "after a leader change); restoring the partition to check its stored position", lane, topic, p, offset);
        restore.add(p);
      }
    });
    if (!restore.isEmpty()) {
      restore(restore);
    }
  }

  private void pauseForRegistry() {
    if (!consumerClosed) {
      consumer.pause(topicPartitions(ledger.owned()));
    }
  }

  private void resumeAfterRegistry() {
    if (!flowPaused && !stopping) {
      consumer.resume(topicPartitions(ledger.reading()));
    }
  }

  private void requestBarrier() {
    barrierWanted = true;
    sendBarrierIfAllowed();
  }

  /** At most a few checkpoints are in flight; while the sink is busy, the next one simply grows. */
  private void sendBarrierIfAllowed() {
    if (!barrierWanted) {
      return;
    }
    PlannedBarrier barrier = ledger.planBarrier();
    if (barrier != null) {
      barrierWanted = false;
      if (delayTimer >= 0) {
        vertx.cancelTimer(delayTimer);
        delayTimer = -1;
      }
      sendDown(new Barrier(barrier.id(), barrier.offsets()));
    }
  }

  private void onCheckpointResult(CheckpointResult result) {
    Settled settled = ledger.settle(result.id(), result.committed(), result.fenced());
    if (settled == null) {
      return;
    }
    if (!settled.toRestore().isEmpty()) {
      log.warn("lane {}: checkpoint {} refused for partitions {} (another owner claimed them, or the stored "
          + "position moved); restoring", lane, result.id(), settled.toRestore());
      restore(settled.toRestore());
    }
    if (!settled.kafkaCommits().isEmpty() && !consumerClosed) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      settled.kafkaCommits().forEach((p, next) -> offsets.put(new TopicPartition(topic, p),
          new OffsetAndMetadata(next, "")));
      consumer.commit(offsets).onFailure(e -> log.debug("lane {}: Kafka offset commit failed: {}", lane,
          e.toString()));
    }
    if (flowPaused && ledger.belowResumeMark() && !stopping) {
      flowPaused = false;
      metrics.lanePaused(false);
      log.info("lane {}: resuming the consumer", lane);
      consumer.resume(topicPartitions(ledger.reading()));
    }
    sendBarrierIfAllowed();
    if (drained != null && !ledger.hasOutstanding() && !barrierWanted) {
      drained.tryComplete();
    }
  }

  private void onTick() {
    long now = System.currentTimeMillis();
    logStats(now);
    Set<Integer> reading = ledger.reading();
    if (reading.isEmpty() || stopping) {
      return;
    }
    if (now - lastTopicIdCheck >= TOPIC_ID_CHECK_MS) {
      lastTopicIdCheck = now;
      checkTopicId();
    }
    // Positions taken before the end offsets are asked for: the log cannot have ended before them.
    Map<Integer, Long> nextAtRequest = new HashMap<>();
    reading.forEach(p -> nextAtRequest.put(p, ledger.next(p)));
    consumer.endOffsets(topicPartitions(reading)).onSuccess(ends -> {
      Set<Integer> stillReading = ledger.reading();
      ends.forEach((tp, end) -> checkEnd(tp.getPartition(), end, nextAtRequest, stillReading, now));
    });
  }

  /**
   * A topic deleted and created again while it is read: its offsets count from 0 again, and records the new log has
   * below the lane's position would never be read. The partitions read under the old ID are restored, which
   * compares the ID stored with their positions with the new one (PIPELINE_OFFSET_OUT_OF_RANGE).
   */
  private void checkTopicId() {
    currentTopicId().onSuccess(id -> {
      Set<Integer> moved = ledger.reading().stream()
          .filter(p -> ledger.topicId(p) != null && !ledger.topicId(p).equals(id)).collect(Collectors.toSet());
      if (!moved.isEmpty() && !stopping) {
        log.warn("lane {}: topic {} now has ID {}, not the one its partitions {} were read under: it was deleted and "
            + "created again; restoring them", lane, topic, id, new TreeSet<>(moved));
        restore(moved);
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
      log.warn("lane {}: {}-{} ends at {} but {} records were read (the topic was re-created, or its log truncated); "
          + "restoring", lane, topic, p, end, next);
      restore(Set.of(p));
      return;
    }
    long lag = Math.max(0, end - ledger.next(p));
    metrics.consumerLag(p, lag);
    if (!flowPaused && ledger.isIdle(p, lag, now, config.windows().idleMs())) {
      sendDown(new IdleAdvance(p, now, ledger.quietFor(p, now)));
      // What the advance closes (every window and session of a stream that went quiet) is checkpointed at once,
      // not at the next flush: up to a flush interval sooner in the database and on the aggregated topic.
      // Once per quiet spell; after that the flush timer's barriers carry the watermark on as before.
      if (ledger.startsIdling(p)) {
        requestBarrier();
      }
    }
  }

  private void logStats(long now) {
    if (now - lastStatsAt < STATS_PERIOD_MS) {
      return;
    }
    double seconds = (now - lastStatsAt) / 1000.0;
    log.info("lane {}: consumed {} ({}/s), stored {}, in flight {}, partitions {}{}", lane, consumedSinceStats,
        Math.round(consumedSinceStats / seconds), storedSinceStats, ledger.inFlightEvents(), ledger.owned(),
        flowPaused ? ", PAUSED" : "");
    lastStatsAt = now;
    consumedSinceStats = 0;
    storedSinceStats = 0;
  }

  private void sendDown(LaneMessage message) {
    vertx.eventBus().send(Addresses.laneWindow(lane), message);
  }

  private Set<TopicPartition> topicPartitions(Set<Integer> partitions) {
    return partitions.stream().map(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
  }

  private static Set<Integer> partitionNumbers(Set<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::getPartition).collect(Collectors.toSet());
  }

  /** Graceful stop: read no more, checkpoint everything read, commit, close. */
  @Override
  public Future<?> stop() {
    stopping = true;
    registry.close();
    vertx.cancelTimer(flushTimer);
    vertx.cancelTimer(tickTimer);
    if (delayTimer >= 0) {
      vertx.cancelTimer(delayTimer);
    }
    drained = Promise.promise();
    // The last barrier covers exactly what was read before this point; later records are ignored.
    requestBarrier();
    if (!ledger.hasOutstanding() && !barrierWanted) {
      drained.tryComplete();
    }
    return drained.future().timeout(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(err -> {
          log.warn("lane {}: stopping before the last checkpoint committed ({}); it will be replayed", lane,
              err.toString());
          return Future.succeededFuture();
        })
        .compose(v -> {
          consumerClosed = true;
          return consumer.close();
        })
        .eventually(() -> pool.close())
        .eventually(() -> admin.close());
  }
}
