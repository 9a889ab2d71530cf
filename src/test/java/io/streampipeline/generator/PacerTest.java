package io.streampipeline.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacerTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  /** Drives a pacer with jittery ticks of about 10 ms for {@code seconds}; returns the events per second. */
  private static long[] run(double rate, int seconds) {
    Pacer pacer = new Pacer(rate, 0, Math.max(1, (long) rate));
    SplittableRandom jitter = new SplittableRandom(1);
    long[] perSecond = new long[seconds];
    long now = 0;
    while (true) {
      now += 7 * MS + jitter.nextLong(7 * MS);
      if (now >= seconds * SECOND) {
        break;
      }
      long n = pacer.owed(now);
      pacer.take(n);
      perSecond[(int) (now / SECOND)] += n;
    }
    return perSecond;
  }

  @Test
  void holdsLowRatesExactly() {
    long[] perSecond = run(100, 20);
    long total = perSecond[0];
    for (int s = 1; s < perSecond.length; s++) {
      assertEquals(100, perSecond[s], 1, "second " + s);
      total += perSecond[s];
    }
    // The last tick falls less than 15 ms before the end, when at most two events were still to come.
    assertTrue(total >= 1998 && total <= 2000, "total " + total);
  }

  @Test
  void holdsHighRatesExactly() {
    long[] perSecond = run(50_000, 20);
    for (int s = 1; s < perSecond.length; s++) {
      assertEquals(50_000, perSecond[s], 1_000, "second " + s);
    }
    long total = 0;
    for (long n : perSecond) {
      total += n;
    }
    assertTrue(total > 19 * 50_000 + 49_000 && total <= 20 * 50_000, "total " + total);
  }

  @Test
  void keepsFractionalRates() {
    Pacer pacer = new Pacer(0.5, 0, 1);
    long taken = 0;
    for (long now = 0; now <= 10 * SECOND; now += 10 * MS) {
      long n = pacer.owed(now);
      pacer.take(n);
      taken += n;
    }
    assertEquals(5, taken);
  }

  @Test
  void catchesUpAShortStall() {
    Pacer pacer = new Pacer(1_000, 0, 1_000);
    pacer.take(pacer.owed(100 * MS));
    assertEquals(300, pacer.owed(400 * MS), "events not sent during the stall stay owed");
    assertEquals(0, pacer.forgiven());
  }

  @Test
  void forgivesWhatALongStallWouldBurst() {
    Pacer pacer = new Pacer(1_000, 0, 1_000);
    assertEquals(1_000, pacer.owed(5 * SECOND));
    assertEquals(4_000, pacer.forgiven());
    pacer.take(1_000);
    assertEquals(10, pacer.owed(5 * SECOND + 10 * MS), "then back to the rate");
  }

  @Test
  void rejectsNonPositiveRates() {
    assertThrows(IllegalArgumentException.class, () -> new Pacer(0, 0, 1));
  }
}
