package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;
import static io.streampipeline.window.TestEvents.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.bus.StateWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delta format and the full-or-delta rule of {@link PartitionWindows#checkpointState}. */
class WindowDeltaCodecTest {
  private static final WindowSettings SETTINGS = new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 10 * SECOND);

  /** Many open sessions, then a few events: the state write is a small delta that restores the same state. */
  @Test
  void aDeltaCarriesWhatChangedAndRestoresTheSameState() {
    PartitionWindows live = new PartitionWindows(0, SETTINGS);
    for (int u = 0; u < 5_000; u++) {
      live.add(view("e" + u, T0 + u, "user-" + u, "s-" + u));
    }
    StateWrite first = live.checkpointState();
    assertTrue(first.full(), "no base yet: the first write is full");
    assertNull(live.checkpointState(), "nothing changed, nothing written");

    live.add(view("x1", T0 + 6_000, "user-7", "s-7"));
    live.add(view("x2", T0 + 6_001, "new-user", "new-session"));
    StateWrite delta = live.checkpointState();
    assertFalse(delta.full());
    assertEquals(1, delta.seq());
    assertTrue(delta.size() * 100 < first.size(), delta.size() + " bytes of delta, " + first.size() + " of base");

    // Sessions closed by the watermark leave the stored state through a delta too.
    live.add(view("x3", T0 + 10 * MINUTE, "user-8", "s-8"));
    assertFalse(live.closeReady(0).isEmpty());
    StateWrite second = live.checkpointState();
    assertEquals(2, second.seq());

    PartitionWindows restored = PartitionWindows.restore(0, SETTINGS, first.bytes(),
        List.of(delta.bytes(), second.bytes()));
    assertEquals(live.openSessions(), restored.openSessions());
    assertEquals(live.openWindows(), restored.openWindows());
    assertEquals(live.watermark(), restored.watermark());
    assertArrayEquals(live.dedup().toArray(), restored.dedup().toArray());
    assertEquals(closeAll(live), closeAll(restored));
    // The restored state writes its next delta on the same base.
    restored.add(view("x4", T0 + 10 * MINUTE + 1, "user-9", "s-9"));
    assertEquals(3, restored.checkpointState().seq());
  }

  @Test
  void afterDeltasAsLargeAsTheBaseTheNextWriteIsFull() {
    PartitionWindows live = new PartitionWindows(0, SETTINGS);
    for (int u = 0; u < 500; u++) {
      live.add(view("e" + u, T0, "user-" + u, "s"));
    }
    StateWrite base = live.checkpointState();
    assertTrue(base.full());
    long deltaBytes = 0;
    long lastDelta = 0;
    int n = 0;
    StateWrite write;
    do {
      n++;
      for (int i = 0; i < 10; i++) {
        live.add(view("e" + n + "-" + i, T0 + n, "u" + n + "-" + i, "s"));
      }
      write = live.checkpointState();
      if (!write.full()) {
        deltaBytes += write.size();
        lastDelta = write.size();
        assertEquals(n, write.seq());
      }
    } while (!write.full() && n < 1_000);
    assertTrue(write.full(), "a full snapshot comes back");
    double limit = PartitionWindows.FULL_AFTER_DELTAS_OF * base.size();
    // The rule is decided before encoding: the delta that crosses the limit is written (none is encoded and then
    // dropped), and the next write is the full snapshot.
    assertTrue(deltaBytes > limit, "the delta crossing the limit was written: " + deltaBytes + " <= " + limit);
    assertTrue(deltaBytes - lastDelta <= limit, "deltas went on past the limit: " + deltaBytes + ", " + limit);
    assertTrue(n > 1, "deltas came first");
  }

  @Test
  void aBrokenMissingOrMisplacedDeltaMakesTheRestoreFail() {
    PartitionWindows live = new PartitionWindows(0, SETTINGS);
    live.add(view("e1", T0, "u1", "s1"));
    byte[] base = live.checkpointState().bytes();
    live.add(view("e2", T0 + 1, "u2", "s2"));
    byte[] one = live.checkpointState(false).bytes();
    live.add(view("e3", T0 + 2, "u3", "s3"));
    byte[] two = live.checkpointState(false).bytes();

    assertMessage("delta 2 found where delta 1 belongs", () -> PartitionWindows.restore(0, SETTINGS, base,
        List.of(two)));
    assertMessage("delta 1 found where delta 2 belongs", () -> PartitionWindows.restore(0, SETTINGS, base,
        List.of(one, one)));
    assertMessage("without a base snapshot", () -> PartitionWindows.restore(0, SETTINGS, null, List.of(one)));
    assertMessage("of partition 0 applied to partition 3", () -> PartitionWindows.restore(3, SETTINGS,
        new PartitionWindows(3, SETTINGS).snapshot(), List.of(one)));
    assertMessage("bad magic", () -> PartitionWindows.restore(0, SETTINGS, base, List.of(new byte[] {1, 2, 3})));
    assertMessage("truncated", () -> PartitionWindows.restore(0, SETTINGS, base,
        List.of(Arrays.copyOf(one, one.length - 3))));
    byte[] later = one.clone();
    later[4] = 9;
    assertMessage("unknown window state delta format version 9", () -> PartitionWindows.restore(0, SETTINGS, base,
        List.of(later)));
    // A delta that removes a session the base does not hold: applied to the wrong base.
    PartitionWindows other = new PartitionWindows(0, SETTINGS);
    other.add(view("o1", T0, "o", "o"));
    byte[] otherBase = other.checkpointState().bytes();
    other.add(view("o2", T0 + 20 * MINUTE, "p", "p"));
    other.closeReady(0);
    byte[] removing = other.checkpointState(false).bytes();
    assertMessage("which is not in the stored state", () -> PartitionWindows.restore(0, SETTINGS, base,
        List.of(removing)));
    assertEquals(3, PartitionWindows.restore(0, SETTINGS, base, List.of(one, two)).openSessions());
    assertEquals(1, PartitionWindows.restore(0, SETTINGS, otherBase, List.of(removing)).openSessions());
  }

  /** More events between two writes than the dedup ring holds: the delta carries the whole ring. */
  @Test
  void theWholeDedupRingTravelsWhenMoreThanItHoldsWasPushed() {
    PartitionWindows live = new PartitionWindows(0, SETTINGS);
    live.add(view("first", T0, "u", "s"));
    byte[] base = live.checkpointState().bytes();
    for (int i = 0; i < DedupRing.CAPACITY + 10; i++) {
      live.add(view("id-" + i, T0 + 1, "u", "s"));
    }
    byte[] delta = live.checkpointState(false).bytes();
    PartitionWindows restored = PartitionWindows.restore(0, SETTINGS, base, List.of(delta));
    assertArrayEquals(live.dedup().toArray(), restored.dedup().toArray());
  }

  /** A stored version-1 snapshot is a base like any other: the first write after it is a delta on it. */
  @Test
  void aVersionOneSnapshotIsABaseForDeltas() throws java.io.IOException {
    byte[] v1;
    try (java.io.InputStream in = getClass().getResourceAsStream(SnapshotFixture.RESOURCE)) {
      v1 = in.readAllBytes();
    }
    int p = SnapshotFixture.PARTITION;
    WindowSettings s = SnapshotFixture.SETTINGS;
    PartitionWindows live = PartitionWindows.restore(p, s, v1, List.of());
    live.add(TestEvents.event("after-v1").partition(p).at(T0 + 261_000).user("u9").session("s9").build());
    StateWrite write = live.checkpointState();
    assertFalse(write.full());
    assertEquals(1, write.seq());
    PartitionWindows restored = PartitionWindows.restore(p, s, v1, List.of(write.bytes()));
    assertEquals(live.openSessions(), restored.openSessions());
    assertEquals(closeAll(live), closeAll(restored));
  }

  private static List<String> closeAll(PartitionWindows state) {
    PartitionWindows copy = PartitionWindows.restore(state.partition(), state.settings(), state.snapshot());
    copy.advanceEventTime(Long.MAX_VALUE / 2);
    List<String> out = new ArrayList<>();
    copy.closeReady(0).forEach(r -> out.add(TestEvents.describe(r)));
    return out.stream().sorted().toList();
  }

  private static void assertMessage(String part, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
