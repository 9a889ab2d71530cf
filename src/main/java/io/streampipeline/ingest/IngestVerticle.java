package io.streampipeline.ingest;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.JsonLogLayout;
import io.streampipeline.app.KafkaClients;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.app.ProcessIdentity;
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
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.ingest.PartitionLedger.PlannedBarrier;
import io.streampipeline.ingest.PartitionLedger.Settled;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.sink.CheckpointClaims;
import io.streampipeline.sink.CheckpointClaims.Claimed;
import io.streampipeline.registry.RegistryGate;
import io.streampipeline.replay.ReplayHeaders;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
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
import java.util.Locale;
import java.util.Map;
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
    this.topic = config.clickstreamTopic();
    this.checkpointEvents = Math.max(1, (config.sinkBatchSize() + config.pipelineInstances() - 1)
        / config.pipelineInstances());
    this.ledger = new PartitionLedger(MAX_OUTSTANDING_CHECKPOINTS, config.maxInFlightEvents(),
        config.maxInFlightBytes());
  }

  @Override
  public Future<?> start() {
    context.put(JsonLogLayout.LANE, lane);
    processor = new RecordProcessor(topic, metrics, config.inputLimits());
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("ingest-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    results = vertx.eventBus().consumer(Addresses.laneIngest(lane), msg -> onCheckpointResult(msg.body()));
    consumer = KafkaConsumer.create(vertx, KafkaClients.consumer(endpoints,
        config.consumerGroup(), "stream-pipeline-lane-" + lane + "-" + ProcessIdentity.id()));
    consumer.pollTimeout(POLL_TIMEOUT);
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
    flushTimer = vertx.setPeriodic(config.sinkFlushIntervalMs(), id -> requestBarrier());
    tickTimer = vertx.setPeriodic(TICK_MS, id -> onTick());
    return Future.all(results.completion(), consumer.subscribe(topic))
        .onSuccess(v -> log.info("lane {}: consuming {} as group {}", lane, topic, config.consumerGroup()));
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
        .compose(v -> CheckpointClaims.claim(pool, config.consumerGroup(), topic, partitions))
        .compose(claimed -> consumer.beginningOffsets(tps)
            .compose(starts -> consumer.endOffsets(tps).map(ends -> positions(claimed, starts, ends)))
            .compose(positions -> seekAll(positions).map(v -> {
              finishRestore(seqs, claimed, positions);
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

  private Map<Integer, StartPosition> positions(Map<Integer, Claimed> claimed, Map<TopicPartition, Long> starts,
      Map<TopicPartition, Long> ends) {
    Map<Integer, StartPosition> positions = new HashMap<>();
    claimed.forEach((p, claim) -> {
      TopicPartition tp = new TopicPartition(topic, p);
      long logStart = starts.getOrDefault(tp, 0L);
      long logEnd = ends.getOrDefault(tp, 0L);
      StartPosition position = StartPosition.decide(claim.nextOffset(), logStart, logEnd, config.offsetOutOfRange());
      if (position.action() == StartPosition.Action.HALT) {
        // Nothing of the partition will be read: its whole log is lag.
        metrics.consumerLag(p, logEnd - logStart);
      }
      if (position.outOfRange()) {
        metrics.offsetOutOfRange(p);
        log.error("lane {}: stored offset {} of {}-{} is outside the log [{}, {}] (topic re-created, or records "
                + "removed by retention before they were read); PIPELINE_OFFSET_OUT_OF_RANGE={}: {}", lane,
            claim.nextOffset(), topic, p, logStart, logEnd, config.offsetOutOfRange().name().toLowerCase(Locale.ROOT),
            position.action() == StartPosition.Action.HALT
                ? "the partition is held back until its row in pipeline_checkpoints is corrected or deleted"
                : "reading on from the log start " + logStart);
      }
      positions.put(p, position);
    });
    return positions;
  }

  private Future<Void> seekAll(Map<Integer, StartPosition> positions) {
    List<Future<Void>> seeks = new ArrayList<>();
    positions.forEach((p, position) -> {
      if (position.action() != StartPosition.Action.HALT) {
        seeks.add(consumer.seek(new TopicPartition(topic, p), position.readFrom()));
      }
    });
    return Future.all(seeks).mapEmpty();
  }

  private void finishRestore(Map<Integer, Long> seqs, Map<Integer, Claimed> claimed,
      Map<Integer, StartPosition> positions) {
    Set<Integer> current = current(seqs);
    if (current.isEmpty()) {
      return;
    }
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
      ledger.restored(p, claim.ownerEpoch(), claim.nextOffset(), position.readFrom(), now);
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
      if (!ledger.accept(record.partition(), record.offset(), value == null ? 0 : value.length, now)) {
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
    } else if (delayTimer < 0 && config.sinkMaxDelayMs() > 0) {
      delayTimer = vertx.setTimer(config.sinkMaxDelayMs(), id -> {
        delayTimer = -1;
        requestBarrier();
      });
    }
  }

  /**
   * Offsets skipped: harmless for transaction markers and compaction, but if the log now starts after the offset
   * that was expected, retention removed records before they were read. That is reported like a stored offset
   * outside the log; under {@code halt} the partition is restored, which holds it back.
   */
  private void checkGaps(Map<Integer, Long> gaps) {
    consumer.beginningOffsets(topicPartitions(gaps.keySet())).onSuccess(starts -> starts.forEach((tp, start) -> {
      int p = tp.getPartition();
      long expected = gaps.get(p);
      if (start <= expected) {
        return;
      }
      metrics.offsetOutOfRange(p);
      log.error("lane {}: records {} to {} of {}-{} were removed by retention before they were read; "
          + "PIPELINE_OFFSET_OUT_OF_RANGE={}", lane, expected, start - 1, topic, p,
          config.offsetOutOfRange().name().toLowerCase(Locale.ROOT));
      if (config.offsetOutOfRange() == PipelineConfig.OffsetOutOfRange.HALT && ledger.reading().contains(p)) {
        restore(Set.of(p));
      }
    }));
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
    // Positions taken before the end offsets are asked for: the log cannot have ended before them.
    Map<Integer, Long> nextAtRequest = new HashMap<>();
    reading.forEach(p -> nextAtRequest.put(p, ledger.next(p)));
    consumer.endOffsets(topicPartitions(reading)).onSuccess(ends -> {
      Set<Integer> stillReading = ledger.reading();
      ends.forEach((tp, end) -> checkEnd(tp.getPartition(), end, nextAtRequest, stillReading, now));
    });
  }

  /** One partition's log end at a tick: lag, a log shorter than what was read, or an idle partition. */
  private void checkEnd(int p, long end, Map<Integer, Long> nextAtRequest, Set<Integer> stillReading, long now) {
    long next = nextAtRequest.get(p);
    if (!stillReading.contains(p)) {
      return;
    }
    if (next > end) {
      // The log is shorter than what was read: the topic was deleted and created again while running.
      log.error("lane {}: {}-{} ends at {} but {} records were read; the topic was re-created, restoring", lane,
          topic, p, end, next);
      restore(Set.of(p));
      return;
    }
    long lag = Math.max(0, end - ledger.next(p));
    metrics.consumerLag(p, lag);
    if (!flowPaused && ledger.isIdle(p, lag, now, config.idleMs())) {
      sendDown(new IdleAdvance(p, now));
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
        .eventually(() -> pool.close());
  }
}
