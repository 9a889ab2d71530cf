package io.streampipeline.jmh;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.sink.EventColumns;
import io.streampipeline.sink.WindowColumns;
import io.streampipeline.window.PartitionWindows;
import io.streampipeline.bus.WindowResult;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the sink's event loop spends building one checkpoint's parameters, before the SQL client encodes them:
 * {@link EventColumns#of} for 4,000 events (a partition group's share of a replay checkpoint) and
 * {@link WindowColumns#of} for the session rows 100,000 events of 200,000 users close (one statement, per-row
 * arrays as literals). Score = checkpoints per second; divide by the rows for the cost per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SinkColumnsBenchmark {
  private List<EnrichedEvent> events;
  private List<WindowResult> windows;

  @Setup
  public void setUp() {
    events = List.of(BenchData.enriched(4_000, 1_000, 43, 0));
    PartitionWindows state = new PartitionWindows(0, WindowsBenchmark.SETTINGS);
    for (EnrichedEvent e : BenchData.enriched(WindowsBenchmark.EVENTS, 200_000, 43, 0)) {
      state.add(e);
    }
    state.advanceEventTime(Long.MAX_VALUE / 4);
    windows = state.closeReady(0);
    System.out.printf("%n[sink columns] events=%d windows=%d%n", events.size(), windows.size());
  }

  @Benchmark
  public Tuple eventColumns() {
    return EventColumns.of(events);
  }

  @Benchmark
  public Tuple windowColumns() {
    return WindowColumns.of(windows);
  }
}
