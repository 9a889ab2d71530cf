package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.dashboard.GlobalWindow.Ranked;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardStateTest {
  private static final long MINUTE = 60_000;
  private static final long T0 = 1_795_600_000_000L;
  private static final long NOW = T0 + 10 * MINUTE;

  /** A partial with the given figures; window_id as the pipeline makes it unique per type, start and partition. */
  private static WindowResult partial(WindowType type, long start, int partition, long events, long users,
      long views, long carts, long purchases, long revenue, String[] products, long[] productCounts) {
    long size = type == WindowType.REVENUE_PER_5MIN ? 5 * MINUTE : MINUTE;
    return new WindowResult(type + ":" + start + ":" + partition, type, start, start + size, partition, null, null,
        events, users, views, carts, purchases, revenue, List.of(products), List.of("books"), products,
        productCounts, new String[] {"books"}, new long[] {events}, start + size + 1000);
  }

  private static WindowResult minute(long start, int partition, long events) {
    return partial(WindowType.EVENTS_PER_MINUTE, start, partition, events, events / 2, events / 2, events / 4,
        events / 10, events * 100, new String[] {"p1"}, new long[] {events / 2});
  }

  @Test
  void partialsOfEveryPartitionAddUpToTheGlobalWindow() {
    DashboardState state = new DashboardState();
    state.add(partial(WindowType.EVENTS_PER_MINUTE, T0, 0, 10, 4, 5, 2, 1, 1999, new String[] {"b", "a"},
        new long[] {3, 2}), NOW);
    state.add(partial(WindowType.EVENTS_PER_MINUTE, T0, 1, 20, 6, 8, 3, 2, 5000, new String[] {"a", "c"},
        new long[] {4, 3}), NOW);

    GlobalWindow w = state.latest(WindowType.EVENTS_PER_MINUTE);
    assertEquals(T0, w.windowStart());
    assertEquals(T0 + MINUTE, w.windowEnd());
    assertEquals(30, w.eventCount());
    assertEquals(10, w.uniqueUsers());
    assertEquals(13, w.pageViews());
    assertEquals(5, w.addToCarts());
    assertEquals(3, w.purchases());
    assertEquals(6999, w.totalRevenueCents());
    assertEquals(2, w.partitions());
    assertEquals(9, w.otherEvents());
    assertEquals(List.of(new Ranked("a", 6), new Ranked("b", 3), new Ranked("c", 3)), w.topProducts(),
        "counts summed across partitions, ties by id");
    assertEquals(List.of(new Ranked("books", 30)), w.topCategories());
  }

  @Test
  void aPartialThatArrivesAgainReplacesItselfInsteadOfAddingUp() {
    DashboardState state = new DashboardState();
    state.add(minute(T0, 0, 10), NOW);
    state.add(minute(T0, 1, 20), NOW);
    state.add(minute(T0, 0, 10), NOW);

    assertEquals(30, state.latest(WindowType.EVENTS_PER_MINUTE).eventCount());
    assertEquals(2, state.latest(WindowType.EVENTS_PER_MINUTE).partitions());
  }

  @Test
  void windowTypesAreNeverAddedTogether() {
    DashboardState state = new DashboardState();
    for (int m = 0; m < 5; m++) {
      state.add(minute(T0 + m * MINUTE, 0, 100), NOW);
    }
    state.add(partial(WindowType.REVENUE_PER_5MIN, T0, 0, 500, 90, 250, 125, 50, 77_000, new String[0],
        new long[0]), NOW);
    state.add(partial(WindowType.SESSION_SUMMARY, T0, 0, 7, 1, 3, 1, 1, 1000, new String[0], new long[0]), NOW);

    DashboardState.HourTotals hour = state.lastHour();
    assertEquals(500, hour.events(), "events from the events_per_minute windows only");
    assertEquals(250, hour.pageViews());
    assertEquals(5 * 100 * 100, hour.revenueCents(),
        "revenue of the same events_per_minute windows as the event figures (the tile agrees with the table)");
    assertEquals(5, hour.windows());
    assertEquals(T0, hour.from());
    assertEquals(T0 + 5 * MINUTE, hour.to());
    assertEquals(5, state.series(WindowType.EVENTS_PER_MINUTE).size());
    assertEquals(1, state.series(WindowType.REVENUE_PER_5MIN).size());
    assertNull(state.latest(WindowType.SESSION_SUMMARY), "sessions are not kept");
  }

  @Test
  void keepsTheLastHourBeforeTheNewestWindow() {
    DashboardState state = new DashboardState();
    long late = T0 + 2 * DashboardState.HORIZON_MS;
    state.add(minute(T0, 0, 1), late);
    state.add(minute(T0 + DashboardState.HORIZON_MS, 0, 2), late);
    state.add(minute(T0 + DashboardState.HORIZON_MS + 30 * MINUTE, 0, 3), late);

    List<GlobalWindow> kept = state.series(WindowType.EVENTS_PER_MINUTE);
    assertEquals(List.of(T0 + DashboardState.HORIZON_MS, T0 + DashboardState.HORIZON_MS + 30 * MINUTE),
        kept.stream().map(GlobalWindow::windowStart).toList());
    assertFalse(state.add(minute(T0 + MINUTE, 1, 5), late), "a partial older than the hour is dropped");
  }

  @Test
  void aReplayOfOlderTrafficStillShows() {
    DashboardState state = new DashboardState();
    long dayLater = T0 + 24 * DashboardState.HORIZON_MS;
    assertTrue(state.add(minute(T0, 0, 10), dayLater));
    assertEquals(10, state.lastHour().events());
  }

  @Test
  void aWindowFromTheFarFutureIsIgnoredAndPushesNothingOut() {
    DashboardState state = new DashboardState();
    state.add(minute(T0, 0, 10), NOW);
    assertFalse(state.add(minute(NOW + 365L * 24 * DashboardState.HORIZON_MS, 0, 1), NOW));
    assertEquals(1, state.ignored());
    assertEquals(T0, state.latest(WindowType.EVENTS_PER_MINUTE).windowStart());
  }

  @Test
  void partialsWithoutCountsKeepTheirTopItems() {
    DashboardState state = new DashboardState();
    WindowResult v1 = new WindowResult("v1", WindowType.EVENTS_PER_MINUTE, T0, T0 + MINUTE, -1, null, null, 5, 2,
        5, 0, 0, 0, List.of("z", "y"), List.of(), new String[0], new long[0], new String[0], new long[0], 0);
    state.add(v1, NOW);
    assertEquals(List.of(new Ranked("y", 0), new Ranked("z", 0)), state.latest(WindowType.EVENTS_PER_MINUTE)
        .topProducts());
  }

  @Test
  void aPushCarriesAtMostTheNewestPoints() {
    DashboardState state = new DashboardState();
    int windows = DashboardState.MAX_SERIES_POINTS + 100;
    long second = 1000;
    for (int i = 0; i < windows; i++) {
      state.add(new WindowResult("w" + i, WindowType.EVENTS_PER_MINUTE, T0 + i * second, T0 + (i + 1) * second, 0,
          null, null, 1, 1, 1, 0, 0, 0, List.of(), List.of(), new String[0], new long[0], new String[0],
          new long[0], 0), T0 + windows * second);
    }
    List<GlobalWindow> series = state.series(WindowType.EVENTS_PER_MINUTE);
    assertEquals(DashboardState.MAX_SERIES_POINTS, series.size());
    assertEquals(T0 + (windows - 1) * second, series.get(series.size() - 1).windowStart());
    assertEquals(windows, state.lastHour().events(), "totals still cover the whole hour");
  }
}
