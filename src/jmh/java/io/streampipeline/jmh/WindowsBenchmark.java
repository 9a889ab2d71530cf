package io.streampipeline.jmh;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.window.PartitionWindows;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.window.WindowSettings;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PartitionWindows#add}: one partition's share of the replay (100,000 valid events, 1,000 users, event
 * time rising 43 ms per event: one partition's sixth of a 1,000,000-event, 2-hour replay), into
 * fresh state on every invocation, so the score is events/s from empty state. {@code addAndClose} also closes
 * what the watermark passed every 2,000 events, as the window verticle's 1 s tick does during a replay.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowsBenchmark {
  static final int EVENTS = 100_000;
  static final WindowSettings SETTINGS = new WindowSettings(60_000, 300_000, BenchData.SESSION_TIMEOUT_MS, 10_000);

  private EnrichedEvent[] events;
  private PartitionWindows windows;

  @Setup(Level.Trial)
  public void makeEvents() {
    events = BenchData.enriched(EVENTS, 1000, 43, 0);
  }

  @Setup(Level.Invocation)
  public void freshState() {
    windows = new PartitionWindows(0, SETTINGS);
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public PartitionWindows add() {
    for (EnrichedEvent e : events) {
      windows.add(e);
    }
    return windows;
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public int addAndClose() {
    int closed = 0;
    for (int i = 0; i < EVENTS; i++) {
      windows.add(events[i]);
      if (i % 2000 == 1999) {
        List<WindowResult> ready = windows.closeReady(0);
        closed += ready.size();
      }
    }
    return closed;
  }
}
