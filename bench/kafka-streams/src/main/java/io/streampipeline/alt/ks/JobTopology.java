package io.streampipeline.alt.ks;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.window.AggregatedCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The job as a Kafka Streams topology:
 *
 * <pre>
 * events topic ─ rules (RecordProcessor) ─┬─ repartition by source partition ─┬─ tumbling 60 s  ─┐
 *                                         │                                   └─ tumbling 300 s ─┼─ output topic
 *                                         └─ repartition by partition:user:session ─ sessions ───┘
 * </pre>
 *
 * <p>Changing the key in the DSL makes Kafka Streams write the events to a repartition topic and read them back
 * (it cannot know that the new keys are already in the right partition). Both repartitions use a partitioner that
 * keeps each event in the partition number it was read from, so each window task sees exactly one source
 * partition's events and its stream time is that partition's event time, as the pipeline's per-partition
 * watermark.
 *
 * <p>Windows are the DSL's windowed aggregations on the default RocksDB stores (with changelogs), grace = allowed
 * lateness, and emitted once when they close (suppress until the window closes).
 */
final class JobTopology {
  private static final Serde<Integer> PARTITION = Serdes.Integer();
  private static final Serde<String> TEXT = Serdes.String();

  private JobTopology() {
  }

  static Topology build(JobSettings s, PipelineMetrics metrics, JobCounters counters, LongSupplier clock) {
    Serde<WindowEvent> events = JobSerdes.windowEvent();
    Serde<WindowAggregate> aggregates = JobSerdes.aggregate();
    AggregatedCodec codec = new AggregatedCodec();
    Produced<String, byte[]> toOutput = Produced.with(TEXT, Serdes.ByteArray());
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(RecordCounts.storeBuilder());

    KStream<Integer, WindowEvent> stored = builder
        .stream(s.topic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .process(() -> new RulesProcessor(s.topic(), metrics, counters), Named.as("rules"),
            RecordCounts.STORE);

    KGroupedStream<Integer, WindowEvent> byPartition = stored
        .repartition(Repartitioned.<Integer, WindowEvent>as("by-partition")
            .withKeySerde(PARTITION).withValueSerde(events)
            .withStreamPartitioner((topic, partition, e, n) -> Optional.of(Set.of(partition % n))))
        .groupByKey(Grouped.with(PARTITION, events));
    tumbling(byPartition, WindowType.EVENTS_PER_MINUTE, s.window(), s.allowedLateness(), aggregates, clock)
        .mapValues(r -> emitted(codec, r, counters)).to(s.outputTopic(), toOutput);
    tumbling(byPartition, WindowType.REVENUE_PER_5MIN, s.revenueWindow(), s.allowedLateness(), aggregates, clock)
        .mapValues(r -> emitted(codec, r, counters)).to(s.outputTopic(), toOutput);

    stored
        .map((partition, e) -> KeyValue.pair(SessionKey.format(e), e), Named.as("session-key"))
        .repartition(Repartitioned.<String, WindowEvent>as("by-session")
            .withKeySerde(TEXT).withValueSerde(events)
            .withStreamPartitioner((topic, key, e, n) -> Optional.of(Set.of(SessionKey.partitionOf(key) % n))))
        .groupByKey(Grouped.with(TEXT, events))
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(s.sessionTimeout(), s.allowedLateness()))
        .aggregate(WindowAggregate::session, (key, e, a) -> a.add(e), (key, a, b) -> WindowAggregate.merge(a, b),
            Named.as("session-summary"),
            Materialized.<String, WindowAggregate, SessionStore<Bytes, byte[]>>as("session-summary")
                .withKeySerde(TEXT).withValueSerde(aggregates))
        .suppress(untilClosed("session-summary-closing"))
        .toStream(Named.as("session-summary-closed"))
        // A session store can forward a null for a merged-away session; only real closed sessions are rows.
        .filter((w, a) -> a != null)
        .map((w, a) -> {
          WindowResult row = WindowRows.session(SessionKey.parse(w.key()), w.window().start(), w.window().end(), a,
              clock.getAsLong());
          return KeyValue.pair(row.windowId(), emitted(codec, row, counters));
        })
        .to(s.outputTopic(), toOutput);
    return builder.build();
  }

  /** One tumbling window kind on the partition-keyed stream, as closed rows keyed by window_id. */
  private static KStream<String, WindowResult> tumbling(KGroupedStream<Integer, WindowEvent> byPartition,
      WindowType type, Duration size, Duration grace, Serde<WindowAggregate> aggregates, LongSupplier clock) {
    String name = type.wireName();
    return byPartition
        .windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
        .aggregate(WindowAggregate::tumbling, (partition, e, a) -> a.add(e), Named.as(name),
            Materialized.<Integer, WindowAggregate, WindowStore<Bytes, byte[]>>as(name)
                .withKeySerde(PARTITION).withValueSerde(aggregates)
                .withRetention(retention(size, grace)))
        .suppress(untilClosed(name + "-closing"))
        .toStream(Named.as(name + "-closed"))
        .filter((w, a) -> a != null)
        .map((w, a) -> {
          WindowResult row = WindowRows.tumbling(type, w.key(), w.window().start(), w.window().end(), a,
              clock.getAsLong());
          return KeyValue.pair(row.windowId(), row);
        });
  }

  /**
   * How long the window store keeps a window: at least an hour. The default (size + grace) makes Kafka Streams
   * open a new RocksDB segment for every minute of event time; live that is one a minute, but a replay of two
   * hours of events in a minute opened and dropped some thousand RocksDB instances (a tenth of the stream
   * thread's time in a profile). Kept longer, the stores hold an hour of closed windows of a few hundred bytes.
   */
  private static Duration retention(Duration size, Duration grace) {
    Duration minimum = size.plus(grace);
    return minimum.compareTo(Duration.ofHours(1)) > 0 ? minimum : Duration.ofHours(1);
  }

  /**
   * Holds a window's updates until stream time passes its end plus grace, then lets its final figures through
   * once. Not {@code emitStrategy(EmitStrategy.onWindowClose())}: with it, Kafka Streams 4.4.0 keeps tumbling
   * windows in a time-ordered caching store whose lookups copy ranges of the record cache, and a first run spent
   * most of its CPU there (2.4 ms per event at 100,000 events), so slowly that transactions timed out.
   * The buffer is unbounded (in memory, with a changelog): the open windows are few per task.
   */
  private static Suppressed<Windowed<?>> untilClosed(String name) {
    return Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName(name);
  }

  private static byte[] emitted(AggregatedCodec codec, WindowResult row, JobCounters counters) {
    counters.windowsEmitted.incrementAndGet();
    return codec.encode(row);
  }
}
