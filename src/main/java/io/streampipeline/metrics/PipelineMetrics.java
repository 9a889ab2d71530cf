package io.streampipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streampipeline.event.EventType;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The pipeline's own meters (docs/design.md#metrics), all named {@code stream_pipeline_*}. Shared by every
 * lane of a process: counters are thread-safe, and gauges read sums that the lanes add their deltas to.
 */
public final class PipelineMetrics {
  private static final String PREFIX = "stream_pipeline_";

  private final MeterRegistry registry;
  private final Counter produced;
  private final Counter dlq;
  private final Counter written;
  private final Counter late;
  private final Counter bots;
  private final Counter restores;
  private final Counter fencedCommits;
  private final DistributionSummary sinkBatchSize;
  private final DistributionSummary checkpointBytes;
  private final Timer checkpointDuration;
  private final Timer endToEndLatency;
  private final AtomicLong activeWindows = new AtomicLong();
  private final AtomicLong activeSessions = new AtomicLong();
  private final AtomicLong watermarkDelayMs = new AtomicLong();
  private final AtomicLong pausedLanes = new AtomicLong();
  /** Looked up per event: registered up front, indexed by type, so counting allocates nothing. */
  private final Counter[] consumedByEventType;
  private final Counter consumedUndecodable;
  private final Map<String, Counter> failedByStage = new ConcurrentHashMap<>();
  private final Map<String, Counter> emittedByWindowType = new ConcurrentHashMap<>();
  private final Map<String, Counter> offsetOutOfRangeByPartition = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lagByPartition = new ConcurrentHashMap<>();
  private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();
  private final Map<String, Counter> unsendableByTopic = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> backlogPending = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> backlogOldest = new ConcurrentHashMap<>();

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
    produced = counter("events_produced", "Events the generator sent to Kafka");
    consumedByEventType = new Counter[EventType.values().length];
    for (EventType type : EventType.values()) {
      consumedByEventType[type.ordinal()] = consumedCounter(type.wireName());
    }
    consumedUndecodable = consumedCounter("undecodable");
    dlq = counter("events_dlq", "Messages sent to the dead letter queue");
    written = counter("events_written", "Events committed to PostgreSQL (new rows)");
    late = counter("events_late", "Events stored but left out of windows because their window had closed");
    bots = Counter.builder(PREFIX + "events_filtered").description("Events dropped by a filter")
        .tag("reason", "bot").register(registry);
    restores = counter("state_restores", "Partitions whose window state and offset were restored");
    fencedCommits = counter("fenced_commits", "Checkpoints refused because another owner moved the offset");
    sinkBatchSize = DistributionSummary.builder(PREFIX + "sink_batch_size")
        .description("Events per PostgreSQL transaction").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(100_000.0).register(registry);
    checkpointBytes = DistributionSummary.builder(PREFIX + "checkpoint_state_bytes")
        .description("Size of the window state snapshots of one checkpoint").baseUnit("bytes").register(registry);
    checkpointDuration = Timer.builder(PREFIX + "checkpoint_duration")
        .description("Time of one checkpoint transaction").publishPercentileHistogram().register(registry);
    endToEndLatency = Timer.builder(PREFIX + "end_to_end_latency")
        .description("Event timestamp to committed row").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    Gauge.builder(PREFIX + "active_windows", activeWindows, AtomicLong::get)
        .description("Open tumbling windows (all partitions and types)").register(registry);
    Gauge.builder(PREFIX + "active_sessions", activeSessions, AtomicLong::get)
        .description("Open user sessions").register(registry);
    Gauge.builder(PREFIX + "watermark_delay_seconds", watermarkDelayMs, v -> v.get() / 1000.0)
        .description("Wall clock minus the lowest partition watermark").register(registry);
    Gauge.builder(PREFIX + "consumer_paused_lanes", pausedLanes, AtomicLong::get)
        .description("Lanes whose consumer is paused because too much is not yet committed").register(registry);
    // Registered by every role, so that "no process owns a partition" is a sum of 0, not a missing series.
    Gauge.builder(PREFIX + "assigned_partitions", ownedPartitions, Set::size)
        .description("Partitions of the input topic that this process's lanes own").register(registry);
  }

  private Counter consumedCounter(String eventType) {
    return Counter.builder(PREFIX + "events_consumed").description("Messages read from Kafka")
        .tag("event_type", eventType).register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(PREFIX + name).description(description).register(registry);
  }

  private Counter tagged(Map<String, Counter> cache, String name, String tag, String value,
      String description) {
    return cache.computeIfAbsent(value, (Function<String, Counter>) v -> Counter.builder(PREFIX + name)
        .description(description).tag(tag, v).register(registry));
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void produced(long n) {
    produced.increment(n);
  }

  public void consumed(EventType type) {
    consumedByEventType[type.ordinal()].increment();
  }

  public void consumedUndecodable() {
    consumedUndecodable.increment();
  }

  public void failed(String stage) {
    tagged(failedByStage, "events_failed", "stage", stage, "Messages that failed a stage").increment();
  }

  public void dlq(long n) {
    dlq.increment(n);
  }

  public void written(long n) {
    written.increment(n);
  }

  public void late() {
    late.increment();
  }

  public void bot() {
    bots.increment();
  }

  public void restored() {
    restores.increment();
  }

  public void fenced() {
    fencedCommits.increment();
  }

  /** A restored partition's stored offset lay outside its log (topic re-created, or retention ran ahead). */
  public void offsetOutOfRange(int partition) {
    offsetOutOfRange(partition, "offset");
  }

  /**
   * A partition's position found outside its log, for a {@code reason}: {@code offset} (outside the log's bounds:
   * retention, or a shorter log), {@code topic_id} (the topic was created again: another log under the same name)
   * or {@code truncated} (the log diverged below the position: KIP-320 validation).
   */
  public void offsetOutOfRange(int partition, String reason) {
    offsetOutOfRangeByPartition.computeIfAbsent(partition + "/" + reason, k ->
        Counter.builder(PREFIX + "offset_out_of_range")
            .description("Positions found outside the partition's log (stored offset outside it, topic created "
                + "again, or log truncated)")
            .tag("partition", String.valueOf(partition)).tag("reason", reason).register(registry)).increment();
  }

  public void emitted(String windowType) {
    tagged(emittedByWindowType, "aggregations_emitted", "window_type", windowType, "Closed windows emitted")
        .increment();
  }

  /**
   * An outbox row whose message Kafka can never accept; it leaves the outbox (a dead letter is marked published, a
   * window's queue entry is deleted) with the reason in publish_error.
   */
  public void outboxUnsendable(String topic) {
    tagged(unsendableByTopic, "outbox_unsendable", "topic", topic,
        "Outbox rows that left the outbox unsent because Kafka refuses their message (see publish_error)")
        .increment();
  }

  /**
   * What waits in the outbox for {@code topic}, database-wide (every pipeline process reports the same figures):
   * {@code pending} rows, the oldest queued {@code oldestSeconds} ago (0 when none). NaN when unknown (PostgreSQL
   * not answering), so that no stale figure is shown.
   */
  public void outboxBacklog(String topic, double pending, double oldestSeconds) {
    backlogGauge(backlogPending, "outbox_pending", topic,
        "Rows committed in PostgreSQL and not yet sent to Kafka (all processes)").set(pending);
    backlogGauge(backlogOldest, "outbox_oldest_seconds", topic,
        "How long the oldest row not yet sent to Kafka has waited (all processes)").set(oldestSeconds);
  }

  private AtomicReference<Double> backlogGauge(Map<String, AtomicReference<Double>> cache, String name,
      String topic, String description) {
    return cache.computeIfAbsent(topic, t -> {
      AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
      Gauge.builder(PREFIX + name, value, AtomicReference::get).description(description).tag("topic", t)
          .register(registry);
      return value;
    });
  }

  public void sinkBatch(int events) {
    sinkBatchSize.record(events);
  }

  public void checkpoint(Duration took, long stateBytes) {
    checkpointDuration.record(took);
    checkpointBytes.record(stateBytes);
  }

  /** Events stored by a transaction that committed at {@code committedAtMs}, by their event times. */
  public void endToEnd(long[] eventTimes, long committedAtMs) {
    for (long eventTime : eventTimes) {
      endToEndLatency.record(Math.max(0, committedAtMs - eventTime), TimeUnit.MILLISECONDS);
    }
  }

  public void addActiveWindows(long delta) {
    activeWindows.addAndGet(delta);
  }

  public void addActiveSessions(long delta) {
    activeSessions.addAndGet(delta);
  }

  public void lanePaused(boolean paused) {
    pausedLanes.addAndGet(paused ? 1 : -1);
  }

  public long pausedLanes() {
    return pausedLanes.get();
  }

  public void watermarkDelay(long millis) {
    watermarkDelayMs.set(millis);
  }

  /** A lane gave the partition up: its lag reads 0 and it no longer counts as owned. */
  public void partitionRevoked(int partition) {
    consumerLag(partition, 0);
    ownedPartitions.remove(partition);
  }

  /** The lag of a partition a lane owns. */
  public void consumerLag(int partition, long lag) {
    ownedPartitions.add(partition);
    lagByPartition.computeIfAbsent(String.valueOf(partition), p -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(PREFIX + "consumer_lag", value, AtomicLong::get).description("Records behind the log end")
          .tag("partition", p).register(registry);
      return value;
    }).set(lag);
  }

  /** How many partitions have had their lag measured by this process: those a lane has read since it started. */
  public int partitionsWithKnownLag() {
    return lagByPartition.size();
  }

  /** Totals for /api/stats and the logs. */
  public double totalLate() {
    return late.count();
  }

  public double totalBots() {
    return bots.count();
  }

  public double totalConsumed() {
    double total = consumedUndecodable.count();
    for (Counter c : consumedByEventType) {
      total += c.count();
    }
    return total;
  }
}
