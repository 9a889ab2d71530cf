package io.streampipeline.generator;

/**
 * Keeps an average rate exact across ticks of any length: the number of events due is computed from the time
 * elapsed since the start, not rounded per tick, so a jittery 10 ms timer still yields exactly
 * {@code floor(rate × elapsed)} events.
 *
 * <p>Events that could not be sent (no room) stay owed and are caught up later, up to {@code maxBacklog};
 * beyond that the excess is forgiven and counted, so after a long stall (a broker outage) the generator resumes
 * at its rate rather than in one enormous burst. Plain Java, no clock of its own: the caller passes nanoTime.
 */
final class Pacer {
  private final double eventsPerNano;
  private final long startNanos;
  private final long maxBacklog;
  private long taken;
  private long forgiven;

  Pacer(double eventsPerSecond, long startNanos, long maxBacklog) {
    if (!(eventsPerSecond > 0) || maxBacklog < 1) {
      throw new IllegalArgumentException("rate and backlog must be positive: " + eventsPerSecond + ", "
          + maxBacklog);
    }
    this.eventsPerNano = eventsPerSecond / 1e9;
    this.startNanos = startNanos;
    this.maxBacklog = maxBacklog;
  }

  /** Events due by {@code nowNanos} and not yet taken, at most maxBacklog. */
  long owed(long nowNanos) {
    long due = (long) ((nowNanos - startNanos) * eventsPerNano) - forgiven;
    long owed = due - taken;
    if (owed > maxBacklog) {
      forgiven += owed - maxBacklog;
      owed = maxBacklog;
    }
    return Math.max(0, owed);
  }

  void take(long n) {
    taken += n;
  }

  /** Events given up on because the backlog overflowed. */
  long forgiven() {
    return forgiven;
  }
}
