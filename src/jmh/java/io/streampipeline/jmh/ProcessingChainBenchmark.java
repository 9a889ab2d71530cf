package io.streampipeline.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.ingest.RecordProcessor;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
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
 * one thread; the target (docs/design.md#performance-targets) is 500,000.
 *
 * <p>{@code chain} is {@link RecordProcessor#process} as the ingest verticle runs it, with its Micrometer
 * counters on a {@link SimpleMeterRegistry} (they cost about 2%, measured before the user-agent cache).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProcessingChainBenchmark {
  private static final int MASK = 8191;

  @Param({"0.02"})
  public double errorRate;

  private RecordProcessor processor;
  private byte[][] values;
  /** As a producer stamps them: the record's time is the event's (7 ms apart, as the messages are made). */
  private long[] recordTimestamps;
  private final List<EnrichedEvent> stored = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private int next;

  @Setup
  public void setUp() {
    processor = new RecordProcessor("clickstream.events", new PipelineMetrics(new SimpleMeterRegistry()));
    List<GeneratedMessage> messages = BenchData.messages(MASK + 1, 1000, errorRate, 7);
    values = new byte[MASK + 1][];
    recordTimestamps = new long[MASK + 1];
    for (int i = 0; i <= MASK; i++) {
      values[i] = messages.get(i).value();
      recordTimestamps[i] = BenchData.T0 + i * 7L;
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
    processor.process(values[i], 0, i, recordTimestamps[i], stored, deadLetters);
    return stored.size();
  }
}
