package io.streampipeline.bench;

import java.util.function.DoubleSupplier;

/**
 * Notices the first records the pipeline's lanes process, by watching events_consumed_total (thread-safe
 * counters) every millisecond: the start of the replay measurement, independent of how long Vert.x, the
 * schema and the group join took before it. (The Kafka consumer's own records-consumed-total cannot serve:
 * it is recorded only once a whole fetch has been handed out, seconds late in a replay.)
 */
final class FirstPoll implements ReplayRun.Start {
  private final Thread thread;
  private final DoubleSupplier consumed;
  private final boolean alreadyStarted;
  private volatile long atNanos = -1;
  private volatile boolean running = true;

  /** Starts watching; {@code consumed} already above zero means the first poll came before this call. */
  FirstPoll(DoubleSupplier consumed) {
    this.consumed = consumed;
    this.alreadyStarted = consumed.getAsDouble() > 0;
    thread = new Thread(this::watch, "bench-first-poll");
    thread.setDaemon(true);
    if (!alreadyStarted) {
      thread.start();
    }
  }

  /** True when the first poll was seen as it happened (to the millisecond), false when it came earlier. */
  @Override
  public boolean exact() {
    return !alreadyStarted && atNanos > 0;
  }

  /** System.nanoTime() of the first processed record, or -1 when it was not seen. */
  @Override
  public long atNanos() {
    return atNanos;
  }

  private void watch() {
    try {
      while (running) {
        if (consumed.getAsDouble() > 0) {
          atNanos = System.nanoTime();
          return;
        }
        Thread.sleep(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stop() {
    running = false;
    thread.interrupt();
  }
}
