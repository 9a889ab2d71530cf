package io.streampipeline.jmh;

import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.window.PartitionWindows;
import io.streampipeline.bus.StateWrite;
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
 * One checkpoint of one partition with incremental state (docs/design.md#window-state-storage): 500 more events
 * (generated, normalized and added) on the state of {@link SnapshotBenchmark} (100,000 events; 1,000 or 100,000
 * users), the windows the watermark passed closed, then the state write. {@code checkpointState}: what the window
 * verticle does now (a delta, and a full snapshot when the deltas since the last one outgrow it, so the score is
 * the amortized cost); {@code fullSnapshot}: what it did before (the whole state every time). Score = checkpoints
 * per second; the same 500 events are part of both, so the difference is the state write. The bytes written are
 * printed per iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StateDeltaBenchmark {
  private static final int EVENTS_PER_CHECKPOINT = 500;
  private static final long STEP_MS = 43;

  @Param({"1000", "100000"})
  public int users;

  private PartitionWindows state;
  private EventFactory factory;
  private long ts;
  private long offset;
  private long writes;
  private long bytes;
  private long fulls;

  @Setup(Level.Iteration)
  public void setUp() {
    if (writes > 0) {
      System.out.printf("%n[state-delta] users=%d: %d writes, %d full, %d bytes each on average%n", users, writes,
          fulls, bytes / writes);
    }
    state = new PartitionWindows(0, WindowsBenchmark.SETTINGS);
    for (var e : BenchData.enriched(WindowsBenchmark.EVENTS, users, STEP_MS, 0)) {
      state.add(e);
    }
    state.checkpointState();
    factory = new EventFactory(BenchData.SEED + 1, users, 500, BenchData.SESSION_TIMEOUT_MS, 0);
    ts = BenchData.T0 + WindowsBenchmark.EVENTS * STEP_MS;
    offset = WindowsBenchmark.EVENTS;
    writes = 0;
    bytes = 0;
    fulls = 0;
  }

  private void nextEvents() {
    for (int added = 0; added < EVENTS_PER_CHECKPOINT; ) {
      GeneratedMessage m = factory.next(ts += STEP_MS);
      if (m.kind() == Kind.VALID) {
        state.add(EventRules.enrich(EventRules.normalize(m.event()), 0, offset++));
        added++;
      }
    }
    state.closeReady(0);
  }

  @Benchmark
  public StateWrite checkpointState() {
    nextEvents();
    StateWrite write = state.checkpointState();
    writes++;
    bytes += write.size();
    fulls += write.full() ? 1 : 0;
    return write;
  }

  @Benchmark
  public byte[] fullSnapshot() {
    nextEvents();
    byte[] snapshot = state.snapshot();
    writes++;
    bytes += snapshot.length;
    fulls++;
    return snapshot;
  }
}
