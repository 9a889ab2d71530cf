package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;
import static io.streampipeline.window.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.EnrichedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionWindowsSnapshotTest {
  private static final WindowSettings SETTINGS = new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 10 * SECOND);

  @Test
  void restoringAtAnyPointGivesTheSameResultsAsNeverSnapshotting() {
    for (long seed = 1; seed <= 3; seed++) {
      List<EnrichedEvent> events = RandomEvents.generate(seed, 6_000, 1);
      PartitionWindows straight = new PartitionWindows(1, SETTINGS);
      PartitionWindows restored = new PartitionWindows(1, SETTINGS);
      Random when = new Random(seed);
      for (int i = 0; i < events.size(); i++) {
        if (when.nextInt(40) == 0) {
          restored = PartitionWindows.restore(1, SETTINGS, restored.snapshot());
          assertSameState(straight, restored);
        }
        assertEquals(straight.add(events.get(i)), restored.add(events.get(i)), "event " + i);
        if (i % 25 == 0) {
          assertEquals(describe(straight.closeReady(i)), describe(restored.closeReady(i)), "close at " + i);
        }
        if (i % 1_000 == 999) {
          long wall = straight.maxTimestamp() + 5 * SECOND;
          straight.advanceEventTime(wall);
          restored.advanceEventTime(wall);
        }
      }
      restored = PartitionWindows.restore(1, SETTINGS, restored.snapshot());
      straight.advanceEventTime(Long.MAX_VALUE);
      restored.advanceEventTime(Long.MAX_VALUE);
      List<String> all = describe(straight.closeReady(-1));
      assertEquals(all, describe(restored.closeReady(-1)));
      assertFalse(all.isEmpty());
    }
  }

  @Test
  void theEmptyStateRoundTrips() {
    PartitionWindows empty = new PartitionWindows(0, SETTINGS);
    PartitionWindows restored = PartitionWindows.restore(0, SETTINGS, empty.snapshot());
    assertSameState(empty, restored);
    assertEquals(Long.MIN_VALUE, restored.watermark());
    assertTrue(restored.add(event("e1").at(T0).build()));
  }

  @Test
  void theVersionOneFixtureStillRestores() throws IOException {
    byte[] bytes;
    try (InputStream in = getClass().getResourceAsStream(SnapshotFixture.RESOURCE)) {
      assertNotNull(in, SnapshotFixture.RESOURCE);
      bytes = in.readAllBytes();
    }
    assertEquals('S', bytes[0]);
    assertEquals(1, bytes[4]);
    PartitionWindows pw = PartitionWindows.restore(SnapshotFixture.PARTITION, SnapshotFixture.SETTINGS, bytes);
    assertEquals(T0 + 250_000, pw.watermark());
    assertEquals(T0 + 260_000, pw.maxTimestamp());
    assertEquals(5, pw.openWindows());
    assertEquals(3, pw.openSessions());

    // e5's minute has closed: late. The dedup ring came along: e6 and e2 are not counted again.
    assertFalse(pw.add(event("e5").at(T0 + 200_000).user("u3").session("s3").partition(2).build()));
    assertTrue(pw.add(event("e6").at(T0 + 260_000).user("u1").session("s1").partition(2).build()));
    assertTrue(pw.add(event("e2").at(T0 + 245_000).user("u1").session("s1").partition(2).build()));

    List<WindowResult> closed = pw.closeReady(42);
    assertEquals(List.of("events_per_minute@" + T0, "events_per_minute@" + (T0 + 60_000),
        "events_per_minute@" + (T0 + 180_000), "session_summary@" + (T0 + 1_000),
        "session_summary@" + (T0 + 3_000)), closed.stream().map(r -> r.type().wireName() + "@" + r.windowStart())
        .toList());
    WindowResult first = closed.get(0);
    assertEquals(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 2), first.windowId());
    assertEquals(List.of(3L, 2L, 1L, 1L, 1L, 2_500L), List.of(first.eventCount(), first.uniqueUsers(),
        first.pageViews(), first.addToCarts(), first.purchases(), first.totalRevenueCents()));
    assertArrayEquals(new String[] {"p1", "p2"}, first.productIds());
    assertArrayEquals(new long[] {2, 1}, first.productCounts());
    assertArrayEquals(new String[] {"electronics", "books"}, first.categoryNames());
    assertEquals(42, first.emittedAt());
    WindowResult splitOff = closed.get(3);
    assertEquals("u1", splitOff.userId());
    assertEquals(T0 + 65_000, splitOff.windowEnd());
    assertEquals(3, splitOff.eventCount());
    assertEquals(WindowIds.session(T0 + 1_000, 2, "u1", "s1"), splitOff.windowId());
    assertEquals(List.of("p1", "p2"), splitOff.topProducts());
    assertEquals("u2", closed.get(4).userId());
    assertEquals(2_500, closed.get(4).totalRevenueCents());
    assertEquals(2, pw.openWindows());
    assertEquals(2, pw.openSessions());

    pw.advanceEventTime(T0 + 3_600_000);
    List<WindowResult> rest = pw.closeReady(43);
    WindowResult revenue = rest.stream().filter(r -> r.type() == WindowType.REVENUE_PER_5MIN).findFirst()
        .orElseThrow();
    assertEquals(List.of(6L, 3L, 3L, 1L, 1L, 2_500L), List.of(revenue.eventCount(), revenue.uniqueUsers(),
        revenue.pageViews(), revenue.addToCarts(), revenue.purchases(), revenue.totalRevenueCents()));
    assertArrayEquals(new String[] {"p1", "p2", "p3"}, revenue.productIds());
    assertArrayEquals(new long[] {2, 2, 1}, revenue.productCounts());
    assertArrayEquals(new long[] {3, 2}, revenue.categoryCounts());
    assertEquals(List.of("events_per_minute@" + (T0 + 240_000), "revenue_per_5min@" + T0,
        "session_summary@" + (T0 + 200_000), "session_summary@" + (T0 + 260_000)),
        rest.stream().map(r -> r.type().wireName() + "@" + r.windowStart()).toList());
    assertEquals(0, pw.openWindows() + pw.openSessions());
  }

  @Test
  void theFixtureMatchesItsEventSequence() {
    // Guards the fixture's story: what the current build makes of the same events equals the stored state.
    PartitionWindows fresh = SnapshotFixture.build();
    PartitionWindows stored = PartitionWindows.restore(SnapshotFixture.PARTITION, SnapshotFixture.SETTINGS,
        readFixture());
    assertSameState(fresh, stored);
    fresh.advanceEventTime(Long.MAX_VALUE);
    stored.advanceEventTime(Long.MAX_VALUE);
    assertEquals(describe(fresh.closeReady(0)), describe(stored.closeReady(0)));
  }

  @Test
  void badSnapshotsAreRejectedWithAClearMessage() {
    PartitionWindows pw = new PartitionWindows(0, SETTINGS);
    pw.add(event("e1").at(T0).product("p1", "c1").build());
    byte[] good = pw.snapshot();

    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    assertMessage("bad magic", () -> PartitionWindows.restore(0, SETTINGS, badMagic));
    byte[] future = good.clone();
    future[4] = 9;
    assertMessage("unknown window snapshot format version 9", () -> PartitionWindows.restore(0, SETTINGS, future));
    assertMessage("partition 0 restored into partition 1", () -> PartitionWindows.restore(1, SETTINGS, good));
    assertMessage("truncated", () -> PartitionWindows.restore(0, SETTINGS, Arrays.copyOf(good, good.length - 3)));
    assertMessage("left over", () -> PartitionWindows.restore(0, SETTINGS, Arrays.copyOf(good, good.length + 1)));
    assertMessage("truncated", () -> PartitionWindows.restore(0, SETTINGS, new byte[0]));
  }

  private static void assertMessage(String part, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  private static byte[] readFixture() {
    try (InputStream in = PartitionWindowsSnapshotTest.class.getResourceAsStream(SnapshotFixture.RESOURCE)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertSameState(PartitionWindows expected, PartitionWindows actual) {
    assertEquals(expected.watermark(), actual.watermark());
    assertEquals(expected.maxTimestamp(), actual.maxTimestamp());
    assertEquals(expected.openWindows(), actual.openWindows());
    assertEquals(expected.openSessions(), actual.openSessions());
  }

  private static List<String> describe(List<WindowResult> results) {
    List<String> out = new ArrayList<>();
    for (WindowResult r : results) {
      out.add(TestEvents.describe(r));
    }
    return out;
  }
}
