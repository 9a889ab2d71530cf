package io.streampipeline.dashboard;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Per-second rate of a growing total (an offset sum, a row count) from samples taken now and then: the
 * growth between the oldest sample within {@code spanMs} and the newest, divided by the time between them.
 * A long span smooths totals that move in steps (offsets committed once per flush). A total that goes down
 * (a counter restarted) starts the measurement afresh. Not thread-safe.
 */
final class RateMeter {
  private record Sample(long atMs, double total) {
  }

  private final long spanMs;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  RateMeter(long spanMs) {
    this.spanMs = spanMs;
  }

  void record(long nowMs, double total) {
    if (!samples.isEmpty() && total < samples.peekLast().total()) {
      samples.clear();
    }
    samples.addLast(new Sample(nowMs, total));
    // Keep one sample at or beyond the span, so the rate always covers the whole span once it can.
    while (samples.size() > 2) {
      Iterator<Sample> oldest = samples.iterator();
      oldest.next();
      if (nowMs - oldest.next().atMs() < spanMs) {
        break;
      }
      samples.removeFirst();
    }
  }

  /** Per second, or null until two samples some time apart exist. */
  Double perSecond() {
    if (samples.size() < 2) {
      return null;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    long elapsed = last.atMs() - first.atMs();
    return elapsed <= 0 ? null : (last.total() - first.total()) * 1000.0 / elapsed;
  }
}
