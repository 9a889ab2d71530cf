package io.streampipeline.jmh;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.window.PartitionWindows;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PartitionWindows#snapshot} and {@link PartitionWindows#restore} of one partition's state after
 * 100,000 events: with 1,000 users (a few hundred open sessions, the bench role's size) and with 100,000
 * users (about 60,000 open sessions, near the memory target of docs/design.md#performance-targets). Score =
 * snapshots (restores) per
 * second; the snapshot size is printed at setup. The window verticle snapshots every changed partition at
 * every checkpoint (about every 500 events), so this cost is paid per checkpoint, not per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SnapshotBenchmark {
  @Param({"1000", "100000"})
  public int users;

  private PartitionWindows state;
  private byte[] snapshot;

  @Setup
  public void setUp() {
    state = new PartitionWindows(0, WindowsBenchmark.SETTINGS);
    for (EnrichedEvent e : BenchData.enriched(WindowsBenchmark.EVENTS, users, 43, 0)) {
      state.add(e);
    }
    snapshot = state.snapshot();
    System.out.printf("%n[snapshot] users=%d open sessions=%d open windows=%d snapshot bytes=%d%n", users,
        state.openSessions(), state.openWindows(), snapshot.length);
  }

  @Benchmark
  public byte[] snapshot() {
    return state.snapshot();
  }

  @Benchmark
  public PartitionWindows restore() {
    return PartitionWindows.restore(0, WindowsBenchmark.SETTINGS, snapshot);
  }
}
