package io.streampipeline.it.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds or the deadline passes (then fails with the last observed value). */
public final class Await {
  private Await() {
  }

  public static <T> T until(Duration timeout, String what, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.get();
        if (done.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        last = null;
      }
      sleep(200);
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last: " + last);
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
