package io.streampipeline.flinkbench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.bus.WindowType;
import io.streampipeline.window.WindowIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The window stage on Flink's own local MiniCluster: a handful of events through the real window operators,
 * with the bench's sizes and a 10 s bounded-out-of-orderness watermark, as the job runs them.
 */
class WindowStageTest {
  private static final WindowSpec SPEC = new WindowSpec(60_000, 300_000, 1_800_000, 10_000);
  private static final long T0 = 1_700_000_040_000L - 1_700_000_040_000L % 300_000; // a 5-minute boundary

  @Test
  void tumblingWindowsSessionsAndLateEvents() throws Exception {
    List<WindowInput> input = List.of(
        event(0, T0 + 1_000, "u1", "s1", "page_view", "p2", "shoes", 0),
        event(0, T0 + 2_000, "u1", "s1", "add_to_cart", "p1", "shoes", 0),
        event(0, T0 + 3_000, "u2", "s2", "purchase", "p1", "hats", 500),
        event(0, T0 + 70_000, "u1", "s1", "page_view", "p3", null, 0),
        // watermark now T0 + 60 s - 1 ms: the first minute has closed, the five minutes have not
        event(0, T0 + 30_000, "u2", "s2", "page_view", "p9", null, 0),
        // exactly the timeout after u1's last event: still the same session (the pipeline splits only after more)
        event(0, T0 + 70_000 + 1_800_000, "u1", "s1", "page_view", null, null, 0),
        // more than the timeout after that: a second session
        event(0, T0 + 70_000 + 3_600_001, "u1", "s1", "page_view", null, null, 0));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    DataStream<WindowInput> events = env.fromData(input, TypeInformation.of(WindowInput.class))
        .assignTimestampsAndWatermarks(WatermarkStrategy
            .<WindowInput>forGenerator(ctx -> new EveryEventWatermarks(SPEC.allowedLatenessMs()))
            .withTimestampAssigner((e, t) -> e.timestamp));
    List<WindowRow> rows = new ArrayList<>();
    WindowStage.apply(events, SPEC).executeAndCollect().forEachRemaining(rows::add);
    rows.sort(Comparator.comparing((WindowRow r) -> r.windowType).thenComparingLong(r -> r.windowStart)
        .thenComparing(r -> r.userId == null ? "" : r.userId));

    List<WindowRow> minutes = ofType(rows, "events_per_minute");
    assertEquals(List.of(T0, T0 + 60_000, T0 + 1_860_000, T0 + 3_660_000),
        minutes.stream().map(r -> r.windowStart).toList());
    WindowRow first = minutes.get(0);
    // the late event (T0 + 30 s) is not in the first minute
    assertEquals(3, first.eventCount);
    assertEquals(2, first.uniqueUsers);
    assertEquals(1, first.pageViews);
    assertEquals(1, first.addToCarts);
    assertEquals(1, first.purchases);
    assertEquals(500, first.totalRevenueCents);
    assertArrayEquals(new String[] {"p1", "p2"}, first.topProducts); // count desc, then id
    assertArrayEquals(new Long[] {2L, 1L}, first.productCounts);
    assertArrayEquals(new String[] {"shoes", "hats"}, first.topCategories);
    assertEquals(T0 + 60_000, first.windowEnd);
    assertEquals(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 0), first.windowId);

    // Flink drops late events per window operator: the five-minute window had not fired, so it counts it
    WindowRow fiveMinutes = ofType(rows, "revenue_per_5min").get(0);
    assertEquals(T0, fiveMinutes.windowStart);
    assertEquals(5, fiveMinutes.eventCount);

    List<WindowRow> sessions = ofType(rows, "session_summary");
    assertEquals(3, sessions.size());
    WindowRow u1 = sessions.stream().filter(r -> r.userId.equals("u1")).findFirst().orElseThrow();
    assertEquals(T0 + 1_000, u1.windowStart);
    assertEquals(T0 + 70_000 + 1_800_000, u1.windowEnd);
    assertEquals(4, u1.eventCount);
    assertEquals(WindowIds.session(T0 + 1_000, 0, "u1", "s1"), u1.windowId);
    WindowRow u2 = sessions.stream().filter(r -> r.userId.equals("u2")).findFirst().orElseThrow();
    assertEquals(2, u2.eventCount); // the session window had not fired: the late event joins it
    assertEquals(T0 + 30_000, u2.windowEnd);
  }

  /**
   * Bounded out-of-orderness as Flink's own generator computes it (highest time - bound - 1 ms), but emitted
   * after every event instead of every 200 ms of wall time, so that which events are late does not depend on
   * how fast the test runs.
   */
  private static final class EveryEventWatermarks implements WatermarkGenerator<WindowInput> {
    private final long boundMs;
    private long highest = Long.MIN_VALUE;

    EveryEventWatermarks(long boundMs) {
      this.boundMs = boundMs;
    }

    @Override
    public void onEvent(WindowInput event, long timestamp, WatermarkOutput output) {
      highest = Math.max(highest, timestamp);
      output.emitWatermark(new Watermark(highest - boundMs - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
    }
  }

  private static List<WindowRow> ofType(List<WindowRow> rows, String type) {
    return rows.stream().filter(r -> r.windowType.equals(type)).toList();
  }

  private static WindowInput event(int partition, long ts, String user, String session, String type,
      String product, String category, long revenue) {
    WindowInput e = new WindowInput();
    e.partition = partition;
    e.timestamp = ts;
    e.userId = user;
    e.sessionId = session;
    e.eventType = type;
    e.productId = product;
    e.productCategory = category;
    e.revenueCents = revenue;
    return e;
  }
}
