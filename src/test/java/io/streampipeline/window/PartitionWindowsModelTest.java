package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    reference.advanceIdle(Long.MAX_VALUE / 2);
    lean.advanceIdle(Long.MAX_VALUE / 2);
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
    state.advanceIdle(Long.MAX_VALUE / 2);
    results.addAll(describe(state.closeReady(0)));
    return results.stream().sorted().toList();
  }

  private static List<String> describe(List<WindowResult> results) {
    return results.stream().map(TestEvents::describe).toList();
  }
}
