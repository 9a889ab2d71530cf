package io.streampipeline.ingest;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.KafkaClients;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Barrier;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.IdleAdvance;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.replay.ReplayHeaders;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's Kafka consumer ("processor"): reads clickstream.events, applies the processing rules and sends
 * each poll's outcome down the lane (window → sink) as one batch.
 *
 * <p>It owns the lane's position in each partition. On assignment it restores the partition from its
 * PostgreSQL checkpoint (offset and window state) before reading it; at each flush it sends a barrier
 * carrying, per partition, the offset stored now and the next one to read; the sink commits both with the
 * events in one transaction. Kafka offsets are committed only after that, for lag tools. Too much
 * uncommitted work pauses the consumer, so memory stays bounded while PostgreSQL is slow or down.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(IngestVerticle.class);
  private static final int MAX_OUTSTANDING_CHECKPOINTS = 2;
  private static final long TICK_MS = 1000;
  private static final String LOAD_CHECKPOINTS = "SELECT partition, next_offset, state_snapshot "
      + "FROM pipeline_checkpoints WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3)";

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

  private KafkaConsumer<byte[], byte[]> consumer;
  private Pool pool;
  private RecordProcessor processor;
  private MessageConsumer<CheckpointResult> results;

  private final Set<Integer> owned = new HashSet<>();
  private final Set<Integer> restoring = new HashSet<>();
  private final Map<Integer, Integer> epochs = new HashMap<>();
  /** Next offset to read per partition (what the next barrier will store). */
  private final Map<Integer, Long> nextOffsets = new HashMap<>();
  /** Offset the previous barrier stored (or the restored one): the compare-and-set guard of the next. */
  private final Map<Integer, Long> plannedOffsets = new HashMap<>();
  private final Map<Integer, Long> lastRecordAt = new HashMap<>();
  private final Map<Long, PendingCheckpoint> outstanding = new LinkedHashMap<>();

  private long checkpointSeq;
  private long eventsSinceBarrier;
  private boolean barrierWanted;
  private long inFlight;
  private boolean flowPaused;
  private boolean stopping;
  /**
   * Set once close() is called: vertx-kafka-client restarts a closed consumer's worker on the next call, which
   * would then race the close, so nothing may touch the consumer after it.
   */
  private boolean consumerClosed;
  private long flushTimer;
  private long tickTimer;
  private Promise<Void> drained;
  private long lastStatsAt = System.currentTimeMillis();
  private long consumedSinceStats;
  private long storedSinceStats;

  private record PendingCheckpoint(long events, Map<Integer, Integer> epochs, Map<Integer, OffsetRange> offsets) {
  }

  public IngestVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.lane = lane;
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.topic = config.clickstreamTopic();
    this.checkpointEvents = Math.max(1, (config.sinkBatchSize() + config.pipelineInstances() - 1)
        / config.pipelineInstances());
  }

  @Override
  public Future<?> start() {
    processor = new RecordProcessor(topic, metrics);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("ingest-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    results = vertx.eventBus().consumer(Addresses.laneIngest(lane), msg -> onCheckpointResult(msg.body()));
    consumer = KafkaConsumer.create(vertx, KafkaClients.consumer(endpoints.kafkaBootstrapServers(),
        config.consumerGroup(), "stream-pipeline-lane-" + lane + "-" + ProcessHandle.current().pid()));
    consumer.pollTimeout(Duration.ofMillis(100));
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    consumer.exceptionHandler(e -> log.warn("lane {}: Kafka consumer error: {}", lane, e.toString()));
    consumer.batchHandler(this::onRecords);
    flushTimer = vertx.setPeriodic(config.sinkFlushIntervalMs(), id -> requestBarrier());
    tickTimer = vertx.setPeriodic(TICK_MS, id -> onTick());
    return Future.all(results.completion(), consumer.subscribe(topic))
        .onSuccess(v -> log.info("lane {}: consuming {} as group {}", lane, topic, config.consumerGroup()));
  }

  private void onAssigned(Set<TopicPartition> partitions) {
    Set<Integer> mine = partitionNumbers(partitions);
    log.info("lane {}: assigned partitions {}", lane, new TreeSet<>(mine));
    owned.addAll(mine);
    restore(mine);
  }

  private void onRevoked(Set<TopicPartition> partitions) {
    Set<Integer> gone = partitionNumbers(partitions);
    if (gone.isEmpty()) {
      return;
    }
    log.info("lane {}: revoked partitions {}", lane, gone);
    owned.removeAll(gone);
    restoring.removeAll(gone);
    gone.forEach(p -> {
      bumpEpoch(p);
      nextOffsets.remove(p);
      plannedOffsets.remove(p);
      metrics.consumerLag(p, 0);
    });
    sendDown(new PartitionsRevoked(gone));
  }

  /**
   * Resets partitions to their last checkpoint: stop reading them, load offset and window state, seek, hand
   * the state down the lane, read again. Used on assignment and after a refused checkpoint.
   */
  private void restore(Set<Integer> partitions) {
    if (stopping) {
      return;
    }
    Map<Integer, Integer> epochAtStart = new HashMap<>();
    for (int p : partitions) {
      epochAtStart.put(p, bumpEpoch(p));
      restoring.add(p);
    }
    consumer.pause(topicPartitions(partitions))
        .compose(v -> pool.preparedQuery(LOAD_CHECKPOINTS).execute(Tuple.of(config.consumerGroup(), topic,
            partitions.toArray(new Integer[0]))))
        .compose(rows -> {
          if (stopping) {
            return Future.failedFuture("stopping");
          }
          Map<Integer, Row> stored = new HashMap<>();
          rows.forEach(row -> stored.put(row.getInteger("partition"), row));
          return seekAll(partitions, stored).map(v -> stored);
        })
        .onSuccess(stored -> finishRestore(partitions, epochAtStart, stored))
        .onFailure(err -> {
          if (stopping) {
            return;
          }
          log.warn("lane {}: restoring partitions {} failed ({}); retrying in 1 s", lane, partitions,
              err.toString());
          vertx.setTimer(1000, id -> {
            Set<Integer> still = stillCurrent(partitions, epochAtStart);
            if (!still.isEmpty()) {
              restore(still);
            }
          });
        });
  }

  private Future<Void> seekAll(Set<Integer> partitions, Map<Integer, Row> stored) {
    List<Future<Void>> seeks = new ArrayList<>();
    Set<TopicPartition> fromStart = new HashSet<>();
    for (int p : partitions) {
      Row row = stored.get(p);
      if (row != null) {
        seeks.add(consumer.seek(new TopicPartition(topic, p), row.getLong("next_offset")));
      } else {
        fromStart.add(new TopicPartition(topic, p));
      }
    }
    if (!fromStart.isEmpty()) {
      seeks.add(consumer.seekToBeginning(fromStart));
    }
    return Future.all(seeks).mapEmpty();
  }

  private void finishRestore(Set<Integer> partitions, Map<Integer, Integer> epochAtStart, Map<Integer, Row> stored) {
    Set<Integer> current = stillCurrent(partitions, epochAtStart);
    if (current.isEmpty()) {
      return;
    }
    Map<Integer, byte[]> snapshots = new HashMap<>();
    for (int p : current) {
      Row row = stored.get(p);
      if (row != null) {
        long offset = row.getLong("next_offset");
        nextOffsets.put(p, offset);
        plannedOffsets.put(p, offset);
        io.vertx.core.buffer.Buffer snapshot = row.getBuffer("state_snapshot");
        snapshots.put(p, snapshot == null ? null : snapshot.getBytes());
      } else {
        // No checkpoint yet: the first record read fixes the position; the first barrier inserts the row.
        nextOffsets.remove(p);
        plannedOffsets.put(p, -1L);
        snapshots.put(p, null);
      }
      restoring.remove(p);
      lastRecordAt.put(p, System.currentTimeMillis());
      metrics.restored();
    }
    sendDown(new PartitionsRestored(snapshots));
    log.info("lane {}: restored partitions at offsets {}", lane, current.stream().collect(Collectors.toMap(p -> p, p -> nextOffsets.getOrDefault(p, -1L), (a, b) -> a,
            TreeMap::new)));
    if (!flowPaused && !stopping) {
      consumer.resume(topicPartitions(current));
    }
  }

  private Set<Integer> stillCurrent(Set<Integer> partitions, Map<Integer, Integer> epochAtStart) {
    return partitions.stream()
        .filter(p -> owned.contains(p) && epochAtStart.get(p).equals(epochs.get(p)))
        .collect(Collectors.toSet());
  }

  private void onRecords(KafkaConsumerRecords<byte[], byte[]> records) {
    if (stopping) {
      // Read after the final barrier was planned: not checkpointed, so read again after the restart.
      return;
    }
    List<EnrichedEvent> stored = new ArrayList<>(records.size());
    List<DeadLetter> deadLetters = new ArrayList<>(0);
    long now = System.currentTimeMillis();
    int accepted = 0;
    for (ConsumerRecord<byte[], byte[]> record : records.records()) {
      int p = record.partition();
      if (!owned.contains(p) || restoring.contains(p)) {
        continue;
      }
      Long expected = nextOffsets.get(p);
      if (expected != null && record.offset() < expected) {
        continue;
      }
      nextOffsets.put(p, record.offset() + 1);
      lastRecordAt.put(p, now);
      accepted++;
      processor.process(record.value(), p, record.offset(), ReplayHeaders.replayOf(record.headers()), stored,
          deadLetters);
    }
    if (accepted == 0) {
      return;
    }
    consumedSinceStats += accepted;
    storedSinceStats += stored.size();
    if (!stored.isEmpty() || !deadLetters.isEmpty()) {
      sendDown(new EventBatch(stored, deadLetters));
    }
    eventsSinceBarrier += accepted;
    inFlight += accepted;
    if (inFlight > config.maxInFlightEvents() && !flowPaused) {
      flowPaused = true;
      metrics.lanePaused(true);
      log.info("lane {}: pausing the consumer, {} events not yet committed", lane, inFlight);
      consumer.pause(topicPartitions(owned));
    }
    if (eventsSinceBarrier >= checkpointEvents) {
      requestBarrier();
    }
  }

  private void requestBarrier() {
    barrierWanted = true;
    sendBarrierIfAllowed();
  }

  /** At most a few checkpoints are in flight; while the sink is busy, the next one simply grows. */
  private void sendBarrierIfAllowed() {
    if (!barrierWanted || outstanding.size() >= MAX_OUTSTANDING_CHECKPOINTS) {
      return;
    }
    barrierWanted = false;
    long id = ++checkpointSeq;
    Map<Integer, OffsetRange> offsets = new HashMap<>();
    Map<Integer, Integer> epochSnapshot = new HashMap<>();
    for (int p : owned) {
      Long next = nextOffsets.get(p);
      if (restoring.contains(p) || next == null) {
        continue;
      }
      offsets.put(p, new OffsetRange(plannedOffsets.getOrDefault(p, -1L), next));
      plannedOffsets.put(p, next);
      epochSnapshot.put(p, epochs.get(p));
    }
    outstanding.put(id, new PendingCheckpoint(eventsSinceBarrier, epochSnapshot, offsets));
    eventsSinceBarrier = 0;
    sendDown(new Barrier(id, offsets));
  }

  private void onCheckpointResult(CheckpointResult result) {
    PendingCheckpoint pending = outstanding.remove(result.id());
    if (pending == null) {
      return;
    }
    inFlight -= pending.events();
    Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
    Set<Integer> toRestore = new HashSet<>();
    pending.offsets().forEach((p, range) -> {
      boolean current = owned.contains(p) && pending.epochs().get(p).equals(epochs.get(p));
      if (!current) {
        return;
      }
      if (result.fenced().contains(p)) {
        toRestore.add(p);
      } else {
        kafkaOffsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(range.next(), ""));
      }
    });
    if (!toRestore.isEmpty()) {
      log.warn("lane {}: checkpoint {} refused for partitions {} (another owner moved them); restoring",
          lane, result.id(), toRestore);
      restore(toRestore);
    }
    if (!kafkaOffsets.isEmpty() && !consumerClosed) {
      consumer.commit(kafkaOffsets).onFailure(e -> log.debug("lane {}: Kafka offset commit failed: {}", lane,
          e.toString()));
    }
    if (flowPaused && inFlight <= config.maxInFlightEvents() / 2 && !stopping) {
      flowPaused = false;
      metrics.lanePaused(false);
      log.info("lane {}: resuming the consumer", lane);
      consumer.resume(topicPartitions(owned.stream().filter(p -> !restoring.contains(p))
          .collect(Collectors.toSet())));
    }
    sendBarrierIfAllowed();
    if (drained != null && outstanding.isEmpty() && !barrierWanted) {
      drained.tryComplete();
    }
  }

  private void onTick() {
    long now = System.currentTimeMillis();
    logStats(now);
    Set<Integer> readable = owned.stream().filter(p -> !restoring.contains(p)).collect(Collectors.toSet());
    if (readable.isEmpty() || stopping) {
      return;
    }
    consumer.endOffsets(topicPartitions(readable)).onSuccess(ends -> ends.forEach((tp, end) -> {
      int p = tp.getPartition();
      Long next = nextOffsets.get(p);
      if (!owned.contains(p) || restoring.contains(p)) {
        return;
      }
      long lag = next == null ? end : Math.max(0, end - next);
      metrics.consumerLag(p, lag);
      boolean quiet = now - lastRecordAt.getOrDefault(p, now) >= config.idleMs();
      if (lag == 0 && quiet && !flowPaused) {
        sendDown(new IdleAdvance(p, now));
      }
    }));
  }

  private void logStats(long now) {
    if (now - lastStatsAt < 10_000) {
      return;
    }
    double seconds = (now - lastStatsAt) / 1000.0;
    log.info("lane {}: consumed {} ({}/s), stored {}, in flight {}, partitions {}{}", lane, consumedSinceStats,
        Math.round(consumedSinceStats / seconds), storedSinceStats, inFlight, new TreeSet<>(owned), flowPaused ? ", PAUSED" : "");
    lastStatsAt = now;
    consumedSinceStats = 0;
    storedSinceStats = 0;
  }

  private void sendDown(LaneMessage message) {
    vertx.eventBus().send(Addresses.laneWindow(lane), message);
  }

  private int bumpEpoch(int partition) {
    return epochs.merge(partition, 1, Integer::sum);
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
    vertx.cancelTimer(flushTimer);
    vertx.cancelTimer(tickTimer);
    drained = Promise.promise();
    // The last barrier covers exactly what was read before this point; later records are ignored.
    requestBarrier();
    if (outstanding.isEmpty() && !barrierWanted) {
      drained.tryComplete();
    }
    return drained.future().timeout(60, java.util.concurrent.TimeUnit.SECONDS)
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
