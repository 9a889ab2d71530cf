package io.streampipeline.ingest;

import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.JsonLogLayout;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Barrier;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.LaneMessage.RestoredPartition;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.ingest.LaneStateMachine.ReadFrom;
import io.streampipeline.ingest.LaneStateMachine.Reason;
import io.streampipeline.ingest.LaneStateMachine.Settlement;
import io.streampipeline.ingest.PartitionLedger.PlannedBarrier;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One lane's Kafka consumer ("processor"): reads clickstream.events, applies the processing rules and sends
 * each poll's outcome down the lane (window → sink) as one batch.
 *
 * <p>It owns the lane's position in each partition, kept in a {@link PartitionLedger} behind the lane's
 * {@link LaneStateMachine}, which alone decides which partitions the consumer fetches: this class turns the
 * consumer's callbacks, checkpoint results and registry holds into the machine's inputs, and its decisions into
 * {@code pause} and {@code resume} calls. On assignment the {@link PartitionRestorer} claims each partition in
 * PostgreSQL (a new owner epoch; see docs/design.md, exactly-once protocol), loads its stored offset and window
 * state, has the {@link PositionSeeker} check the offset against the log and seek, then hands the state down the
 * lane. At each flush it sends a barrier carrying, per partition, the owner epoch, the offset stored now and the
 * next one to read; the sink commits them with the events in one transaction. Kafka offsets are committed only for
 * partitions the sink committed, for lag tools. Too much uncommitted work pauses the consumer, so memory stays
 * bounded while PostgreSQL is slow or down. The {@link LogWatch} checks the logs read at each tick.
 */
public final class IngestVerticle extends VerticleBase {
  private static final int MAX_OUTSTANDING_CHECKPOINTS = 2;
  /**
   * Lag, log-end and idle checks. A quiet partition is noticed at most this long after WINDOW_IDLE_SECONDS (with a
   * 1 s tick, the windows of a stream that went quiet closed up to a second later than the setting says). One
   * end-offsets request per tick for the lane's partitions.
   */
  private static final long TICK_MS = 250;
  private static final long STOP_TIMEOUT_SECONDS = 60;
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final int lane;
  private final LaneLog log;
  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final String topic;
  /**
   * SINK_BATCH_SIZE is the process's: its lanes share the traffic, so each checkpoints after its share, and a
   * row waits as long with several lanes as with one.
   */
  private final long checkpointEvents;
  private final LongSupplier clock;
  private final LaneStateMachine machine;
  private final PartitionLedger ledger;
  private final LaneStats stats;

  private KafkaConsumer<byte[], byte[]> consumer;
  /** Reads the topic's ID, which the consumer does not expose. */
  private KafkaAdminClient admin;
  private Pool pool;
  private RecordProcessor processor;
  private RegistryGate registry;
  private PositionSeeker seeker;
  private PartitionRestorer restorer;
  private LogWatch watch;
  private MessageConsumer<CheckpointResult> results;

  private boolean barrierWanted;
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

  public IngestVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this(lane, config, endpoints, metrics, System::currentTimeMillis);
  }

  /** @param clock the lane's wall clock in milliseconds; every time the lane reads comes from it */
  public IngestVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics,
      LongSupplier clock) {
    this.lane = lane;
    this.log = LaneLog.of(lane, IngestVerticle.class);
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.topic = config.kafka().clickstreamTopic();
    this.checkpointEvents = Math.max(1, (config.sink().batchSize() + config.lanes().instances() - 1)
        / config.lanes().instances());
    this.clock = clock;
    this.machine = new LaneStateMachine(new PartitionLedger(MAX_OUTSTANDING_CHECKPOINTS, config.lanes().maxInFlightEvents(),
        config.lanes().maxInFlightBytes()), clock, new ConsumerCalls());
    this.ledger = machine.ledger();
    this.stats = new LaneStats(log, clock.getAsLong());
  }

  @Override
  public Future<?> start() {
    context.put(JsonLogLayout.LANE, lane);
    processor = new RecordProcessor(topic, metrics, config.lanes().inputLimits(), clock);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("ingest-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    results = vertx.eventBus().consumer(Addresses.laneIngest(lane), msg -> onCheckpointResult(msg.body()));
    consumer = KafkaConsumer.create(vertx, KafkaClients.consumer(endpoints,
        config.kafka().consumerGroup(), ProcessIdentity.laneClientId(lane)));
    consumer.pollTimeout(POLL_TIMEOUT);
    AdminClient kafkaAdmin = AdminClient.create(new HashMap<>(KafkaClients.admin(endpoints,
        "stream-pipeline-lane-" + lane + "-" + ProcessHandle.current().pid())));
    admin = KafkaAdminClient.create(vertx, kafkaAdmin);
    registry = RegistryGate.create(vertx, config.schemaRegistry(), ClickstreamCodec.V1, "ClickstreamEvent v1",
        log.name(), this::onRecords, machine::registryLookupStarted, machine::registryLookupFinished, clock);
    processor.codec().useRegistry(registry.schemas());
    seeker = new PositionSeeker(log, topic, config.lanes().offsetOutOfRange(), metrics, ledger,
        consumer, admin);
    restorer = new PartitionRestorer(log, vertx, config.kafka().consumerGroup(), topic, pool,
        seeker, machine, registry, metrics, processor::topicId, this::sendDown);
    watch = new LogWatch(log, vertx, topic, config.lanes().offsetOutOfRange(), config.windows().idleMs(),
        metrics, machine, consumer, new LogEnds(kafkaAdmin, topic, context), seeker, () -> consumerClosed,
        new WatchCalls());
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    // The client reports from its own thread: the line is logged on the lane's context, so it names the lane. A
    // wake-up while stopping is the close interrupting a poll, not an error; nor is a pause or resume that reached
    // the client after a rebalance took its partition (PartitionPauses).
    consumer.exceptionHandler(e -> context.runOnContext(v -> {
      if (PartitionPauses.isUnassigned(e)) {
        log.debug("a pause or resume reached the client after a rebalance took its partition: {}", e.getMessage());
      } else if (!(stopping && e instanceof WakeupException)) {
        log.warn("Kafka consumer error: {}", e.toString());
      }
    }));
    consumer.batchHandler(records -> registry.offer(records.records()));
    flushTimer = vertx.setPeriodic(config.sink().flushIntervalMs(), id -> requestBarrier());
    tickTimer = vertx.setPeriodic(TICK_MS, id -> onTick());
    return Future.all(results.completion(), consumer.subscribe(topic))
        .onSuccess(v -> log.info("consuming {} as group {}", topic, config.kafka().consumerGroup()));
  }

  /** With the cooperative assignor this names only the partitions added; the others keep their state. */
  private void onAssigned(Set<TopicPartition> partitions) {
    Set<Integer> mine = partitionNumbers(partitions);
    if (mine.isEmpty()) {
      return;
    }
    log.info("assigned partitions {}", new TreeSet<>(mine));
    machine.assigned(mine);
    restorer.restore(mine);
  }

  private void onRevoked(Set<TopicPartition> partitions) {
    Set<Integer> gone = partitionNumbers(partitions);
    if (gone.isEmpty()) {
      return;
    }
    log.info("revoked partitions {}", new TreeSet<>(gone));
    machine.revoked(gone);
    gone.forEach(metrics::partitionRevoked);
    sendDown(new PartitionsRevoked(gone));
  }

  private void onRecords(List<ConsumerRecord<byte[], byte[]>> records) {
    if (stopping) {
      // Read after the final barrier was planned: not checkpointed, so read again after the restart.
      return;
    }
    List<EnrichedEvent> stored = new ArrayList<>(records.size());
    List<DeadLetter> deadLetters = new ArrayList<>(0);
    long now = clock.getAsLong();
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
      watch.gaps(gaps);
    }
    Map<Integer, Long> rewinds = ledger.takeRewinds();
    if (!rewinds.isEmpty()) {
      watch.rewound(rewinds);
    }
    if (accepted == 0) {
      return;
    }
    stats.counted(accepted, stored.size());
    if (!stored.isEmpty() || !deadLetters.isEmpty()) {
      sendDown(new EventBatch(stored, deadLetters));
    }
    machine.recordsTaken();
    if (ledger.eventsSinceBarrier() >= checkpointEvents) {
      requestBarrier();
    } else if (delayTimer < 0 && config.sink().maxDelayMs() > 0) {
      delayTimer = vertx.setTimer(config.sink().maxDelayMs(), id -> {
        delayTimer = -1;
        requestBarrier();
      });
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
    Settlement settled = machine.settle(result.id(), result.committed(), result.fenced());
    if (settled == null) {
      return;
    }
    if (!settled.restoring().isEmpty()) {
      restorer.refused(result.id(), settled.restoring());
    }
    if (!settled.kafkaCommits().isEmpty() && !consumerClosed) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      settled.kafkaCommits().forEach((p, next) -> offsets.put(new TopicPartition(topic, p),
          new OffsetAndMetadata(next, "")));
      consumer.commit(offsets).onFailure(e -> log.debug("Kafka offset commit failed: {}", e.toString()));
    }
    sendBarrierIfAllowed();
    if (drained != null && !ledger.hasOutstanding() && !barrierWanted) {
      drained.tryComplete();
    }
  }

  private void onTick() {
    long now = clock.getAsLong();
    stats.maybeLog(now, ledger.inFlightEvents(), ledger.owned(), machine.holds(Reason.IN_FLIGHT_LIMIT));
    watch.tick(now);
  }

  private void sendDown(LaneMessage message) {
    vertx.eventBus().send(Addresses.laneWindow(lane), message);
  }

  static Set<TopicPartition> topicPartitions(String topic, Set<Integer> partitions) {
    return partitions.stream().map(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
  }

  private static Set<Integer> partitionNumbers(Set<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::getPartition).collect(Collectors.toSet());
  }

  /** Graceful stop: read no more, checkpoint everything read, commit, close. */
  @Override
  public Future<?> stop() {
    stopping = true;
    machine.stopping();
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
          log.warn("stopping before the last checkpoint committed ({}); it will be replayed", err.toString());
          return Future.succeededFuture();
        })
        .compose(v -> {
          consumerClosed = true;
          return consumer.close();
        })
        .eventually(() -> pool.close())
        .eventually(() -> admin.close());
  }

  /** The machine's decisions as consumer calls; none once the consumer is closed. */
  private final class ConsumerCalls implements LaneStateMachine.Output {
    @Override
    public void pause(Set<Integer> partitions) {
      if (!consumerClosed) {
        PartitionPauses.pause(consumer, topic, partitions);
      }
    }

    @Override
    public void resume(Set<Integer> partitions) {
      if (!consumerClosed) {
        PartitionPauses.resume(consumer, topic, partitions);
      }
    }

    @Override
    public void inFlightLimited(boolean limited) {
      metrics.lanePaused(limited);
      if (limited) {
        log.info("pausing the consumer, {} events not yet committed", ledger.inFlightEvents());
      } else {
        log.info("resuming the consumer");
      }
    }
  }

  private final class WatchCalls implements LogWatch.Lane {
    @Override
    public void restore(Set<Integer> partitions) {
      restorer.restore(partitions);
    }

    @Override
    public void sendDown(LaneMessage message) {
      IngestVerticle.this.sendDown(message);
    }

    @Override
    public void requestBarrier() {
      IngestVerticle.this.requestBarrier();
    }

    @Override
    public void sendBarrierIfAllowed() {
      IngestVerticle.this.sendBarrierIfAllowed();
    }
  }
}
