package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;
import static io.streampipeline.window.TestEvents.event;
import static io.streampipeline.window.TestEvents.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.EventType;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PartitionWindowsTest {
  private static final long LATENESS = 10 * SECOND;
  private static final long TIMEOUT = 30 * MINUTE;
  private static final WindowSettings SETTINGS = new WindowSettings(MINUTE, 5 * MINUTE, TIMEOUT, LATENESS);

  private final PartitionWindows windows = new PartitionWindows(0, SETTINGS);

  @Test
  void eventsOfOneMinuteShareAWindow() {
    windows.add(view("e1", T0 + 1 * SECOND, "u1", "s1"));
    windows.add(view("e2", T0 + 59 * SECOND, "u2", "s2"));
    assertEquals(2, windows.openWindows());

    List<WindowResult> minutes = minutes(closeAllAt(T0 + MINUTE));
    assertEquals(1, minutes.size());
    WindowResult w = minutes.get(0);
    assertEquals(T0, w.windowStart());
    assertEquals(T0 + MINUTE, w.windowEnd());
    assertEquals(2, w.eventCount());
    assertEquals(0, w.partition());
    assertEquals(null, w.userId());
  }

  @Test
  void eventsOfDifferentMinutesGoToDifferentWindowsButTheSameRevenueWindow() {
    windows.add(view("e1", T0 + 30 * SECOND, "u1", "s1"));
    windows.add(view("e2", T0 + MINUTE, "u1", "s1"));
    windows.add(view("e3", T0 + 2 * MINUTE + 5 * SECOND, "u1", "s1"));

    List<WindowResult> all = closeAllAt(T0 + 5 * MINUTE);
    assertEquals(List.of(T0, T0 + MINUTE, T0 + 2 * MINUTE), minutes(all).stream().map(WindowResult::windowStart).toList());
    List<WindowResult> revenue = only(all, WindowType.REVENUE_PER_5MIN);
    assertEquals(1, revenue.size());
    assertEquals(T0, revenue.get(0).windowStart());
    assertEquals(T0 + 5 * MINUTE, revenue.get(0).windowEnd());
    assertEquals(3, revenue.get(0).eventCount());
  }

  @Test
  void aWindowClosesOnceTheWatermarkReachesItsEndAndIsThenForgotten() {
    windows.add(view("e1", T0 + 5 * SECOND, "u1", "s1"));
    // Watermark T0 + 59 s: the first minute is still open.
    windows.add(view("e2", T0 + MINUTE + 9 * SECOND, "u1", "s1"));
    assertEquals(List.of(), windows.closeReady(1));
    assertEquals(3, windows.openWindows());

    // Watermark exactly T0 + 60 s = end of the first minute: it closes.
    windows.add(view("e3", T0 + MINUTE + 10 * SECOND, "u1", "s1"));
    List<WindowResult> closed = windows.closeReady(2);
    assertEquals(1, closed.size());
    assertEquals(WindowType.EVENTS_PER_MINUTE, closed.get(0).type());
    assertEquals(T0, closed.get(0).windowStart());
    assertEquals(1, closed.get(0).eventCount());
    assertEquals(2, closed.get(0).emittedAt());
    assertEquals(2, windows.openWindows());
    assertEquals(List.of(), windows.closeReady(3));
  }

  @Test
  void revenueIsSummedPerWindowAndSession() {
    windows.add(event("e1").at(T0 + SECOND).product("p1", "books").purchase(1_250, 2).build());
    windows.add(event("e2").at(T0 + 2 * SECOND).product("p2", "books").purchase(999, 1).build());
    windows.add(event("e3").at(T0 + 2 * MINUTE).product("p1", "books").purchase(100, 3).build());
    windows.add(event("e4").at(T0 + 3 * MINUTE).product("p1", "books").type(EventType.ADD_TO_CART).build());

    List<WindowResult> all = closeAllAt(T0 + TIMEOUT + 10 * MINUTE);
    assertEquals(List.of(3_499L, 300L, 0L), minutes(all).stream().map(WindowResult::totalRevenueCents).toList());
    assertEquals(3_799, only(all, WindowType.REVENUE_PER_5MIN).get(0).totalRevenueCents());
    WindowResult session = only(all, WindowType.SESSION_SUMMARY).get(0);
    assertEquals(3_799, session.totalRevenueCents());
    assertEquals(3, session.purchases());
  }

  @Test
  void eventTypesAreCounted() {
    EventType[] types = {EventType.PAGE_VIEW, EventType.PAGE_VIEW, EventType.ADD_TO_CART, EventType.SEARCH,
        EventType.WISHLIST, EventType.REMOVE_FROM_CART, EventType.ADD_TO_CART, EventType.PAGE_VIEW};
    for (int i = 0; i < types.length; i++) {
      windows.add(event("e" + i).type(types[i]).at(T0 + i * SECOND).build());
    }
    windows.add(event("buy").at(T0 + 20 * SECOND).purchase(500, 1).build());

    for (WindowResult r : closeAllAt(T0 + TIMEOUT + 10 * MINUTE)) {
      assertEquals(9, r.eventCount(), r.type().wireName());
      assertEquals(3, r.pageViews());
      assertEquals(2, r.addToCarts());
      assertEquals(1, r.purchases());
    }
  }

  @Test
  void uniqueUsersAreExact() {
    String[] users = {"u1", "u2", "u1", "u3", "u2", "u1", "U1"};
    for (int i = 0; i < users.length; i++) {
      windows.add(view("e" + i, T0 + i * SECOND, users[i], "s-" + users[i]));
    }
    List<WindowResult> all = closeAllAt(T0 + TIMEOUT + 10 * MINUTE);
    assertEquals(4, minutes(all).get(0).uniqueUsers());
    assertEquals(4, only(all, WindowType.REVENUE_PER_5MIN).get(0).uniqueUsers());
    List<WindowResult> sessions = only(all, WindowType.SESSION_SUMMARY);
    assertEquals(4, sessions.size());
    assertTrue(sessions.stream().allMatch(s -> s.uniqueUsers() == 1));
  }

  @Test
  void topListsOrderByCountThenIdAndTalliesAreComplete() {
    // p11 has 4 events, p05 and p03 tie with 3, nine more have 1 each: 12 products in all.
    int n = 0;
    String[] products = {"p11", "p11", "p11", "p11", "p05", "p05", "p05", "p03", "p03", "p03",
        "p00", "p01", "p02", "p04", "p06", "p07", "p08", "p09", "p10"};
    for (String p : products) {
      windows.add(event("e" + n).at(T0 + n * 100).product(p, "c" + (p.charAt(2) - '0') % 7).build());
      n++;
    }
    windows.add(event("no-product").at(T0 + 50 * SECOND).build());

    WindowResult w = minutes(closeAllAt(T0 + TIMEOUT + 10 * MINUTE)).get(0);
    assertEquals(List.of("p11", "p03", "p05", "p00", "p01", "p02", "p04", "p06", "p07", "p08"), w.topProducts());
    assertArrayEquals(new String[] {"p11", "p03", "p05", "p00", "p01", "p02", "p04", "p06", "p07", "p08", "p09",
        "p10"}, w.productIds());
    assertArrayEquals(new long[] {4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, w.productCounts());
    // Category = c(last digit mod 7): c1 = p11 ×4, p01, p08 (6); c0 = p00, p07, p10 (3); c3 = p03 ×3;
    // c5 = p05 ×3; c2 = p02, p09 (2); c4 = p04; c6 = p06.
    assertArrayEquals(new String[] {"c1", "c0", "c3", "c5", "c2", "c4", "c6"}, w.categoryNames());
    assertArrayEquals(new long[] {6, 3, 3, 3, 2, 1, 1}, w.categoryCounts());
    assertEquals(List.of("c1", "c0", "c3", "c5", "c2"), w.topCategories());
    assertEquals(20, w.eventCount());
  }

  @Test
  void aGapLongerThanTheTimeoutSplitsTheSessionAndEmitsTheOldOneAtOnce() {
    windows.add(view("e1", T0, "u1", "s1"));
    windows.add(view("e2", T0 + 5 * MINUTE, "u1", "s1"));
    windows.add(view("e3", T0 + 5 * MINUTE + TIMEOUT + 1, "u1", "s1"));
    assertEquals(1, windows.openSessions());

    List<WindowResult> sessions = only(windows.closeReady(7), WindowType.SESSION_SUMMARY);
    assertEquals(1, sessions.size());
    WindowResult first = sessions.get(0);
    assertEquals(T0, first.windowStart());
    assertEquals(T0 + 5 * MINUTE, first.windowEnd());
    assertEquals(2, first.eventCount());
    assertEquals("u1", first.userId());
    assertEquals("s1", first.sessionId());
    assertEquals(WindowIds.session(T0, 0, "u1", "s1"), first.windowId());

    WindowResult second = only(closeAllAt(T0 + 3 * TIMEOUT), WindowType.SESSION_SUMMARY).get(0);
    assertEquals(T0 + 5 * MINUTE + TIMEOUT + 1, second.windowStart());
    assertEquals(1, second.eventCount());
    assertFalse(first.windowId().equals(second.windowId()));
  }

  @Test
  void aGapOfExactlyTheTimeoutContinuesTheSession() {
    windows.add(view("e1", T0, "u1", "s1"));
    windows.add(view("e2", T0 + TIMEOUT, "u1", "s1"));
    windows.add(view("e3", T0 + 2 * TIMEOUT, "u1", "s1"));
    assertEquals(List.of(), only(windows.closeReady(1), WindowType.SESSION_SUMMARY));

    WindowResult s = only(closeAllAt(T0 + 5 * TIMEOUT), WindowType.SESSION_SUMMARY).get(0);
    assertEquals(T0, s.windowStart());
    assertEquals(T0 + 2 * TIMEOUT, s.windowEnd());
    assertEquals(3, s.eventCount());
  }

  @Test
  void outOfOrderEventsInsideASessionExtendItBothWays() {
    windows.add(view("e1", T0 + 20 * SECOND, "u1", "s1"));
    windows.add(view("e2", T0 + 25 * SECOND, "u1", "s1"));
    windows.add(view("e3", T0 + 15 * SECOND, "u1", "s1"));
    windows.add(view("e4", T0 + 22 * SECOND, "u1", "s1"));
    windows.add(view("e5", T0 + 26 * SECOND, "u1", "s1"));

    WindowResult s = only(closeAllAt(T0 + 5 * TIMEOUT), WindowType.SESSION_SUMMARY).get(0);
    assertEquals(T0 + 15 * SECOND, s.windowStart());
    assertEquals(T0 + 26 * SECOND, s.windowEnd());
    assertEquals(5, s.eventCount());
    assertEquals(WindowIds.session(T0 + 15 * SECOND, 0, "u1", "s1"), s.windowId());
  }

  @Test
  void sessionsAreKeyedByUserAndSession() {
    windows.add(view("e1", T0, "u1", "s1"));
    windows.add(view("e2", T0 + 1, "u1", "s2"));
    windows.add(view("e3", T0 + 2, "u2", "s1"));
    windows.add(view("e4", T0 + 3, "u1", "s1"));
    assertEquals(3, windows.openSessions());
    List<WindowResult> sessions = only(closeAllAt(T0 + 5 * TIMEOUT), WindowType.SESSION_SUMMARY);
    assertEquals(List.of(2L, 1L, 1L), sessions.stream().map(WindowResult::eventCount).toList());
  }

  @Test
  void aSessionClosesWhenTheWatermarkIsMoreThanTheTimeoutPastItsLastEvent() {
    windows.add(view("e1", T0, "u1", "s1"));
    windows.add(view("e2", T0 + 10 * MINUTE, "u1", "s1"));
    windows.add(view("other", T0 + 10 * MINUTE + TIMEOUT + LATENESS, "u2", "s2"));
    // watermark − last = timeout exactly: still open.
    assertEquals(List.of(), only(windows.closeReady(1), WindowType.SESSION_SUMMARY));
    assertEquals(2, windows.openSessions());

    windows.add(view("later", T0 + 10 * MINUTE + TIMEOUT + LATENESS + 1, "u2", "s2"));
    List<WindowResult> closed = only(windows.closeReady(2), WindowType.SESSION_SUMMARY);
    assertEquals(1, closed.size());
    assertEquals("u1", closed.get(0).userId());
    assertEquals(1, windows.openSessions());
  }

  @Test
  void outOfOrderWithinTheLatenessIsCounted() {
    windows.add(view("e1", T0 + MINUTE + 5 * SECOND, "u1", "s1"));
    // Watermark T0 + 55 s < end of the first minute: an event in it still counts.
    assertTrue(windows.add(view("e2", T0 + 50 * SECOND, "u2", "s2")));
    List<WindowResult> minutes = minutes(closeAllAt(T0 + 10 * MINUTE));
    assertEquals(List.of(T0, T0 + MINUTE), minutes.stream().map(WindowResult::windowStart).toList());
    assertEquals(1, minutes.get(0).eventCount());
  }

  @Test
  void anEventForAClosedWindowIsLateAndDoesNotReopenIt() {
    windows.add(view("e1", T0 + 30 * SECOND, "u1", "s1"));
    windows.add(view("e2", T0 + MINUTE + 10 * SECOND, "u1", "s1"));
    List<WindowResult> first = minutes(windows.closeReady(1));
    assertEquals(1, first.size());

    assertFalse(windows.add(view("late", T0 + 59 * SECOND, "u9", "s9")));
    assertEquals(1, windows.openSessions());
    assertEquals(T0 + MINUTE, windows.watermark());

    List<WindowResult> rest = closeAllAt(T0 + 5 * TIMEOUT);
    assertEquals(List.of(T0 + MINUTE), minutes(rest).stream().map(WindowResult::windowStart).toList());
    assertEquals(2, only(rest, WindowType.REVENUE_PER_5MIN).get(0).eventCount());
    assertTrue(only(rest, WindowType.SESSION_SUMMARY).stream().noneMatch(s -> s.userId().equals("u9")));
  }

  @Test
  void lateIsDecidedByTheEarliestClosingOfTheEventsWindows() {
    windows.add(view("e1", T0 + 2 * MINUTE + 10 * SECOND, "u1", "s1"));
    // Its minute [T0+1m, T0+2m) has closed though its revenue window [T0, T0+5m) is open: late for both.
    assertFalse(windows.add(view("late", T0 + MINUTE + 30 * SECOND, "u1", "s1")));
    WindowResult revenue = only(closeAllAt(T0 + 10 * MINUTE), WindowType.REVENUE_PER_5MIN).get(0);
    assertEquals(1, revenue.eventCount());
  }

  @Test
  void theWatermarkTrailsTheHighestTimestampAndNeverGoesBack() {
    assertEquals(Long.MIN_VALUE, windows.watermark());
    windows.add(view("e1", T0 + 30 * SECOND, "u1", "s1"));
    assertEquals(T0 + 20 * SECOND, windows.watermark());
    windows.add(view("e2", T0 + 25 * SECOND, "u1", "s1"));
    assertEquals(T0 + 20 * SECOND, windows.watermark());
    assertEquals(T0 + 30 * SECOND, windows.maxTimestamp());
    windows.advanceEventTime(T0);
    assertEquals(T0 + 20 * SECOND, windows.watermark());
  }

  @Test
  void idleAdvanceFollowsTheWallClockAndClosesWindows() {
    windows.add(view("e1", T0 + 30 * SECOND, "u1", "s1"));
    assertEquals(List.of(), windows.closeReady(1));

    windows.advanceEventTime(T0 + MINUTE + LATENESS);
    assertEquals(T0 + MINUTE, windows.watermark());
    assertEquals(List.of(T0), minutes(windows.closeReady(2)).stream().map(WindowResult::windowStart).toList());

    windows.advanceEventTime(T0 + 30 * SECOND + TIMEOUT + LATENESS + 1);
    List<WindowResult> rest = windows.closeReady(3);
    assertEquals(1, only(rest, WindowType.REVENUE_PER_5MIN).size());
    assertEquals(1, only(rest, WindowType.SESSION_SUMMARY).size());
    assertEquals(0, windows.openWindows());
    assertEquals(0, windows.openSessions());
    // Event time now follows the advanced watermark: an event for a closed minute is late.
    assertFalse(windows.add(view("e2", T0 + 10 * MINUTE, "u1", "s1")));
  }

  @Test
  void aRepeatedEventIdIsCountedOnce() {
    assertTrue(windows.add(event("dup").at(T0 + SECOND).purchase(100, 1).build()));
    assertTrue(windows.add(event("dup").at(T0 + SECOND).purchase(100, 1).build()));
    assertTrue(windows.add(view("other", T0 + 2 * SECOND, "u1", "s1")));
    for (WindowResult r : closeAllAt(T0 + 5 * TIMEOUT)) {
      assertEquals(2, r.eventCount());
      assertEquals(100, r.totalRevenueCents());
    }
  }

  @Test
  void onlyTheLastTenThousandIdsAreRemembered() {
    windows.add(view("first", T0, "u1", "s1"));
    for (int i = 1; i < PartitionWindows.DEDUP_EVENTS; i++) {
      windows.add(view("e" + i, T0 + i, "u1", "s1"));
    }
    windows.add(view("first", T0, "u1", "s1"));
    assertEquals(PartitionWindows.DEDUP_EVENTS, sessionOf(closeAllAt(T0 + 5 * TIMEOUT)).eventCount());

    PartitionWindows other = new PartitionWindows(0, SETTINGS);
    other.add(view("first", T0, "u1", "s1"));
    for (int i = 1; i <= PartitionWindows.DEDUP_EVENTS; i++) {
      other.add(view("e" + i, T0 + i, "u1", "s1"));
    }
    other.add(view("first", T0, "u1", "s1"));
    other.advanceEventTime(T0 + 5 * TIMEOUT);
    assertEquals(PartitionWindows.DEDUP_EVENTS + 2, sessionOf(other.closeReady(0)).eventCount());
  }

  @Test
  void resultsAreOrderedByTypeStartAndId() {
    for (int p = 0; p < 4; p++) {
      windows.add(view("a" + p, T0 + p * MINUTE, "u" + p, "s"));
      windows.add(view("b" + p, T0 + p * MINUTE, "v" + p, "s"));
    }
    List<WindowResult> all = closeAllAt(T0 + 5 * TIMEOUT);
    for (int i = 1; i < all.size(); i++) {
      WindowResult a = all.get(i - 1);
      WindowResult b = all.get(i);
      int byType = a.type().compareTo(b.type());
      assertTrue(byType < 0 || byType == 0 && (a.windowStart() < b.windowStart()
          || a.windowStart() == b.windowStart() && a.windowId().compareTo(b.windowId()) < 0), b.toString());
    }
    assertEquals(4 + 1 + 8, all.size());
  }

  @Test
  void windowIdsAreDeterministicPerPartition() {
    PartitionWindows p3 = new PartitionWindows(3, SETTINGS);
    p3.add(event("e1").at(T0 + SECOND).partition(3).build());
    windows.add(view("e1", T0 + SECOND, "u1", "s1"));
    p3.advanceEventTime(T0 + 5 * TIMEOUT);
    List<WindowResult> fromP3 = p3.closeReady(0);
    List<WindowResult> fromP0 = closeAllAt(T0 + 5 * TIMEOUT);
    assertEquals(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 3), fromP3.get(0).windowId());
    assertEquals(3, fromP3.get(0).partition());
    for (int i = 0; i < 3; i++) {
      assertFalse(fromP0.get(i).windowId().equals(fromP3.get(i).windowId()));
    }
  }

  @Test
  void extremeTimesDoNotWrapAround() {
    windows.advanceEventTime(Long.MIN_VALUE);
    assertEquals(Long.MIN_VALUE, windows.watermark());
    windows.add(view("e1", 1, "u1", "s1"));
    windows.add(view("e2", Long.MAX_VALUE, "u1", "s1"));
    assertEquals(Long.MAX_VALUE - LATENESS, windows.watermark());

    List<WindowResult> closed = windows.closeReady(0);
    assertEquals(List.of("EVENTS_PER_MINUTE@0", "REVENUE_PER_5MIN@0", "SESSION_SUMMARY@1"),
        closed.stream().map(r -> r.type() + "@" + r.windowStart()).toList());
    // The last window ends at Long.MAX_VALUE (clamped), beyond any watermark with lateness.
    assertEquals(2, windows.openWindows());
    assertEquals(1, windows.openSessions());
  }

  @Test
  void anEventOfAnotherPartitionIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> windows.add(event("e1").partition(1).build()));
  }

  private List<WindowResult> closeAllAt(long wallClock) {
    windows.advanceEventTime(wallClock + LATENESS);
    return windows.closeReady(0);
  }

  private static WindowResult sessionOf(List<WindowResult> results) {
    List<WindowResult> sessions = only(results, WindowType.SESSION_SUMMARY);
    assertEquals(1, sessions.size());
    return sessions.get(0);
  }

  private static List<WindowResult> minutes(List<WindowResult> results) {
    return only(results, WindowType.EVENTS_PER_MINUTE);
  }

  private static List<WindowResult> only(List<WindowResult> results, WindowType type) {
    Predicate<WindowResult> ofType = r -> r.type() == type;
    return results.stream().filter(ofType).toList();
  }
}
