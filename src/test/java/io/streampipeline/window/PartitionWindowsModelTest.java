package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.EnrichedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lean implementation against {@link ReferenceWindows} on random sequences. */
class PartitionWindowsModelTest {

  @Test
  void agreesWithThePlainReferenceOnRandomSequences() {
    WindowSettings[] settings = {
        new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 10 * SECOND),
        new WindowSettings(MINUTE, 5 * MINUTE, 30 * MINUTE, 10 * SECOND),
        new WindowSettings(7 * SECOND, 3 * SECOND, 20 * SECOND, 0),
        // A timeout shorter than the lateness: events arrive before their session's start by more than it.
        new WindowSettings(MINUTE, 5 * MINUTE, 5 * SECOND, 30 * SECOND),
    };
    long seed = 100;
    for (WindowSettings s : settings) {
      for (int run = 0; run < 2; run++, seed++) {
        compare(s, RandomEvents.generate(seed, 12_000, 4), seed);
      }
    }
  }

  @Test
  void agreesWhenIdsRepeatFromBeyondTheDedupRing() {
    // A day of lateness keeps the re-sent events from being late, so only the dedup ring decides.
    WindowSettings s = new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 24 * 60 * MINUTE);
    List<EnrichedEvent> events = new ArrayList<>(RandomEvents.generate(7, 11_000, 4));
    // Re-send the whole sequence: the oldest ids have left the ring and count again, the others do not.
    events.addAll(List.copyOf(events));
    compare(s, events, 7);
  }

  private static void compare(WindowSettings s, List<EnrichedEvent> events, long seed) {
    PartitionWindows lean = new PartitionWindows(4, s);
    ReferenceWindows reference = new ReferenceWindows(4, s);
    int late = 0;
    for (int i = 0; i < events.size(); i++) {
      boolean accepted = reference.add(events.get(i));
      assertEquals(accepted, lean.add(events.get(i)), "seed " + seed + " event " + i);
      late += accepted ? 0 : 1;
      if (i % 50 == 0) {
        assertEquals(describe(reference.closeReady(i)), describe(lean.closeReady(i)), "seed " + seed + " at " + i);
        assertEquals(reference.openWindows(), lean.openWindows());
        assertEquals(reference.openSessions(), lean.openSessions());
      }
    }
    reference.advanceEventTime(Long.MAX_VALUE / 2);
    lean.advanceEventTime(Long.MAX_VALUE / 2);
    assertEquals(describe(reference.closeReady(-1)), describe(lean.closeReady(-1)));
    assertEquals(0, lean.openWindows() + lean.openSessions());
    System.out.printf("seed %d: %d events, %d late%n", seed, events.size(), late);
  }

  /**
   * Replay equals live: the same records give the same windows and sessions however they are cut into batches,
   * whenever the close timer fires, and wherever checkpoints snapshot and a new owner restores the state.
   */
  @Test
  void theSameRecordsGiveTheSameResultsWhateverTheTimingOfTimersAndBarriers() {
    WindowSettings[] settings = {
        new WindowSettings(MINUTE, 5 * MINUTE, 30 * SECOND, 10 * SECOND),
        new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 20 * SECOND),
        new WindowSettings(7 * SECOND, 3 * SECOND, 20 * SECOND, 0),
    };
    long seed = 500;
    for (WindowSettings s : settings) {
      for (int run = 0; run < 3; run++, seed++) {
        List<EnrichedEvent> events = RandomEvents.generate(seed, 6_000, 4);
        List<String> once = runWithTiming(s, events, new Random(seed), false);
        List<String> chopped = runWithTiming(s, events, new Random(seed * 31 + 7), true);
        assertEquals(once, chopped, "seed " + seed);
      }
    }
  }

  /** Every result, sorted, after all records and a final close; with {@code chop}, timers and barriers at random. */
  private static List<String> runWithTiming(WindowSettings s, List<EnrichedEvent> events, Random random,
      boolean chop) {
    PartitionWindows state = new PartitionWindows(4, s);
    List<String> results = new ArrayList<>();
    int i = 0;
    while (i < events.size()) {
      int batch = chop ? 1 + random.nextInt(200) : events.size();
      for (int end = Math.min(events.size(), i + batch); i < end; i++) {
        state.add(events.get(i));
      }
      if (chop && random.nextBoolean()) {
        results.addAll(describe(state.closeReady(0)));
      }
      if (chop && random.nextInt(4) == 0) {
        state = PartitionWindows.restore(4, s, state.snapshot());
      }
    }
    state.advanceEventTime(Long.MAX_VALUE / 2);
    results.addAll(describe(state.closeReady(0)));
    return results.stream().sorted().toList();
  }

  /**
   * Incremental state (docs/design.md#window-state-storage): at random barriers the state is written as a full
   * snapshot or a delta (forced either way, or the size rule's choice); at random points the process "dies": what
   * was not yet written is lost, the state is rebuilt from the stored base and deltas, and the events after the
   * last write are read again. The results written at barriers equal those of one uninterrupted run, and a
   * state rebuilt right after a write equals the live one.
   */
  @Test
  void baseAndDeltasRestoreTheStateExactlyWhereverBarriersAndCrashesFall() {
    WindowSettings[] settings = {
        new WindowSettings(MINUTE, 5 * MINUTE, 30 * SECOND, 10 * SECOND),
        new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 20 * SECOND),
        new WindowSettings(7 * SECOND, 3 * SECOND, 20 * SECOND, 0),
        new WindowSettings(MINUTE, 5 * MINUTE, 5 * SECOND, 30 * SECOND),
        // A day of lateness: the re-sent events of the second half are decided by the dedup ring alone.
        new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 24 * 60 * MINUTE),
    };
    long seed = 900;
    int deltas = 0;
    int fulls = 0;
    int restores = 0;
    for (WindowSettings s : settings) {
      for (int run = 0; run < 3; run++, seed++) {
        List<EnrichedEvent> events = new ArrayList<>(RandomEvents.generate(seed, 8_000, 4));
        events.addAll(List.copyOf(events.subList(0, 3_000)));
        List<String> once = runWithTiming(s, events, new Random(seed), false);
        int[] counts = new int[3];
        List<String> incremental = runWithIncrementalState(s, events, new Random(seed * 17 + 3), counts);
        assertEquals(once, incremental, "seed " + seed);
        fulls += counts[0];
        deltas += counts[1];
        restores += counts[2];
      }
    }
    System.out.printf("incremental state: %d full snapshots, %d deltas, %d restores%n", fulls, deltas, restores);
    org.junit.jupiter.api.Assertions.assertTrue(deltas > fulls && restores > 50, deltas + " deltas, " + fulls + " full");
  }

  private static List<String> runWithIncrementalState(WindowSettings s, List<EnrichedEvent> events, Random random,
      int[] counts) {
    PartitionWindows state = new PartitionWindows(4, s);
    byte[] base = null;
    List<byte[]> stored = new ArrayList<>();
    List<String> written = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    int writtenUpTo = 0;
    int i = 0;
    while (i < events.size()) {
      // Now and then more events between two barriers than the dedup ring holds: the delta sends the whole ring.
      int batch = random.nextInt(40) == 0 ? 10_500 : 1 + random.nextInt(200);
      for (int end = Math.min(events.size(), i + batch); i < end; i++) {
        state.add(events.get(i));
      }
      if (random.nextBoolean()) {
        pending.addAll(describe(state.closeReady(0)));
      }
      int action = random.nextInt(10);
      if (action < 6) {
        // A barrier: the windows closed so far and the state write commit together.
        pending.addAll(describe(state.closeReady(0)));
        int choice = random.nextInt(4);
        StateWrite write = state.checkpointState(choice == 0 ? Boolean.TRUE : choice == 1 ? Boolean.FALSE : null);
        if (write != null) {
          if (write.full()) {
            base = write.bytes();
            stored.clear();
            counts[0]++;
          } else {
            assertEquals(stored.size() + 1, write.seq());
            stored.add(write.bytes());
            counts[1]++;
          }
        }
        written.addAll(pending);
        pending.clear();
        writtenUpTo = i;
        if (random.nextInt(3) == 0) {
          PartitionWindows rebuilt = PartitionWindows.restore(4, s, base, stored);
          assertSameState(state, rebuilt);
          state = rebuilt;
          counts[2]++;
        }
      } else if (action == 6) {
        // A crash: everything since the last barrier is lost and read again.
        state = PartitionWindows.restore(4, s, base, stored);
        pending.clear();
        i = writtenUpTo;
        counts[2]++;
      }
    }
    state.advanceEventTime(Long.MAX_VALUE / 2);
    written.addAll(pending);
    written.addAll(describe(state.closeReady(0)));
    return written.stream().sorted().toList();
  }

  /** Same clocks, dedup ring, split-off sessions, and the same results when everything open is closed now. */
  private static void assertSameState(PartitionWindows expected, PartitionWindows actual) {
    assertEquals(expected.watermark(), actual.watermark());
    assertEquals(expected.maxTimestamp(), actual.maxTimestamp());
    assertEquals(expected.openWindows(), actual.openWindows());
    assertEquals(expected.openSessions(), actual.openSessions());
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected.dedup().toArray(), actual.dedup().toArray());
    assertEquals(everythingClosed(expected), everythingClosed(actual));
  }

  private static List<String> everythingClosed(PartitionWindows state) {
    PartitionWindows copy = PartitionWindows.restore(state.partition(), state.settings(), state.snapshot());
    copy.advanceEventTime(Long.MAX_VALUE / 2);
    return describe(copy.closeReady(0)).stream().sorted().toList();
  }

  private static List<String> describe(List<WindowResult> results) {
    return results.stream().map(TestEvents::describe).toList();
  }
}
