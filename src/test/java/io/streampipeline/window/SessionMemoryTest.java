package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.event.EventType;
import java.lang.ref.Reference;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md#performance-targets: heap ≤ 256 MB with 100,000 open sessions. Measures what one partition retains
 * with that many sessions open (ids as the decoder would allocate them), after the tumbling windows of the 25
 * minutes covered have closed, as a rough Runtime estimate, and holds it to the figure
 * docs/performance.md gives: the estimate is noisy, so up to twice that passes, and a regression to three times fails.
 */
class SessionMemoryTest {
  private static final int SESSIONS = 100_000;
  /** "~540 bytes per open session" in docs/performance.md. */
  private static final long DOCUMENTED_BYTES_PER_SESSION = 540;

  @Test
  void aHundredThousandOpenSessionsFitWellUnderTheHeapBudget() {
    Random random = new Random(5);
    EventType[] types = {EventType.PAGE_VIEW, EventType.PAGE_VIEW, EventType.ADD_TO_CART, EventType.SEARCH};
    long before = usedHeapAfterGc();
    PartitionWindows windows = new PartitionWindows(0, new WindowSettings(MINUTE, 5 * MINUTE, 30 * MINUTE,
        10 * SECOND));
    for (int i = 0; i < SESSIONS; i++) {
      // Fresh String objects per event, as decoding produces them; 15 ms apart: 25 minutes of event time.
      windows.add(TestEvents.event(UUID.randomUUID().toString())
          .at(T0 + i * 15L)
          .user("user_" + String.format("%06d", i))
          .session(UUID.randomUUID().toString())
          .type(types[random.nextInt(types.length)])
          .product(new String("prod_" + random.nextInt(500)), new String("category_" + random.nextInt(12)))
          .build());
      if (i % 1_000 == 0) {
        windows.closeReady(0);
      }
    }
    windows.closeReady(0);
    assertEquals(SESSIONS, windows.openSessions());
    long retained = usedHeapAfterGc() - before;
    Reference.reachabilityFence(windows);

    System.out.printf("%,d open sessions (and %d open windows, %d dedup ids) retain about %,d bytes: %d bytes"
        + " per session%n", SESSIONS, windows.openWindows(), PartitionWindows.DEDUP_EVENTS, retained,
        retained / SESSIONS);
    assertTrue(retained < 2 * DOCUMENTED_BYTES_PER_SESSION * SESSIONS, "retained " + retained + " bytes, "
        + retained / SESSIONS + " per session; documented: " + DOCUMENTED_BYTES_PER_SESSION);

    byte[] snapshot = windows.snapshot();
    System.out.printf("its snapshot: %,d bytes%n", snapshot.length);
    assertEquals(SESSIONS, PartitionWindows.restore(0, windows.settings(), snapshot).openSessions());
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }
}
