package io.streampipeline.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.ingest.RecordProcessor;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.event.EventType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The processing chain of one Kafka record (decode, validate, filter bots, normalize, enrich) over the
 * realistic mix of the bench role: 2% bad input (by default), 1% bots, 5% schemaless. Score = records/s on
 * one thread; the DESIGN.md §5 target is 500,000.
 *
 * <p>{@code chain} is {@link RecordProcessor#process} as the ingest verticle runs it, with its Micrometer
 * counters on a {@link SimpleMeterRegistry}. {@code chainWithoutMetrics} runs the same steps through
 * {@link EventRules} without any counter, so the difference is the metrics' share of the cost.
 * {@code chainWithAgentCache} is the change proposed in docs/performance.md: the same steps, but each distinct
 * user agent is classified (bot? mobile?) once and remembered, instead of being scanned case-insensitively for
 * eleven markers on every event — the scan is most of the chain's time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProcessingChainBenchmark {
  private static final int MASK = 8191;
  private static final byte BOT = 1;
  private static final byte MOBILE = 2;

  @Param({"0.02"})
  public double errorRate;

  private RecordProcessor processor;
  private final ClickstreamCodec codec = new ClickstreamCodec();
  private byte[][] values;
  private final List<EnrichedEvent> stored = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private int next;
  private final Map<String, Byte> agents = new HashMap<>();

  @Setup
  public void setUp() {
    processor = new RecordProcessor("clickstream.events", new PipelineMetrics(new SimpleMeterRegistry()));
    List<GeneratedMessage> messages = BenchData.messages(MASK + 1, 1000, errorRate, 7);
    values = new byte[MASK + 1][];
    for (int i = 0; i <= MASK; i++) {
      values[i] = messages.get(i).value();
    }
  }

  /** The lists grow by one element per call; emptied between iterations, as each poll starts new ones. */
  @Setup(Level.Iteration)
  public void clear() {
    stored.clear();
    deadLetters.clear();
  }

  @Benchmark
  public int chain() {
    int i = next++ & MASK;
    if (i == 0) {
      clear();
    }
    processor.process(values[i], 0, i, stored, deadLetters);
    return stored.size();
  }

  @Benchmark
  public Object chainWithoutMetrics() {
    int i = next++ & MASK;
    ClickstreamEvent event;
    try {
      event = codec.decode(values[i]);
    } catch (DecodeException e) {
      return e;
    }
    String invalid = EventRules.invalidReason(event);
    if (invalid != null) {
      return invalid;
    }
    if (EventRules.isBot(event.userAgent())) {
      return null;
    }
    return EventRules.enrich(EventRules.normalize(event), 0, i);
  }

  @Benchmark
  public Object chainWithAgentCache() {
    int i = next++ & MASK;
    ClickstreamEvent event;
    try {
      event = codec.decode(values[i]);
    } catch (DecodeException e) {
      return e;
    }
    String invalid = EventRules.invalidReason(event);
    if (invalid != null) {
      return invalid;
    }
    byte agent = classify(event.userAgent());
    if ((agent & BOT) != 0) {
      return null;
    }
    ClickstreamEvent e = EventRules.normalize(event);
    long revenue = e.eventType() == EventType.PURCHASE ? e.priceCents() * e.quantity() : 0L;
    return new EnrichedEvent(e, revenue, (int) ((e.timestamp() / 3_600_000L) % 24), (agent & MOBILE) != 0, 0, i);
  }

  /** Bounded: a flood of distinct agents (an attack) only stops the caching, never grows memory. */
  private byte classify(String userAgent) {
    Byte known = agents.get(userAgent);
    if (known != null) {
      return known;
    }
    byte flags = (byte) ((EventRules.isBot(userAgent) ? BOT : 0) | (EventRules.isMobile(userAgent) ? MOBILE : 0));
    if (agents.size() < 4096) {
      agents.put(userAgent, flags);
    }
    return flags;
  }
}
