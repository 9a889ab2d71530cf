package io.streampipeline.config;

/**
 * How far a caught-up, quiet partition's event time may move with the wall clock (WINDOW_IDLE_RULE;
 * docs/design.md#quiet-partitions). The watermark then becomes at least {@code reached − allowed lateness}; it
 * never goes back. A partition that has counted no event has no event time to move from and never moves.
 *
 * <p>The trade-off: a watermark that moves further closes windows sooner after traffic stops, and makes an event
 * that arrives later with an older timestamp late. Only {@link #EVENT_TIME} keeps data that arrives hours behind
 * the wall clock exact when the pipeline was already running and quiet.
 */
public enum IdleRule {
  /**
   * Event time moves from the partition's own highest timestamp at the wall clock's pace, and never past the
   * wall clock: {@code min(now, maxTimestamp + quiet)}. Live data (timestamps near the wall clock) closes its
   * windows as soon as the partition goes quiet; a backfill that pauses for {@code q} loses only what is older
   * than {@code maxTimestamp + q − lateness} when it resumes.
   */
  EVENT_TIME,
  /**
   * Event time jumps to the wall clock: {@code now}. Everything closes once the partition is quiet, and any
   * event that arrives afterwards with a timestamp older than the wall clock is late: only for a bounded replay
   * whose records are all in Kafka before the pipeline starts.
   */
  WALL_CLOCK;

  /**
   * The event time a partition has reached after {@code quietMs} of wall time without records, or
   * {@code Long.MIN_VALUE} when it has counted no event ({@code maxTimestamp == Long.MIN_VALUE}).
   *
   * @param maxTimestamp the highest event timestamp the partition counted
   * @param nowMs the wall clock
   * @param quietMs wall time since the partition's last record (or since it was restored), {@code >= 0}
   */
  public long eventTimeReached(long maxTimestamp, long nowMs, long quietMs) {
    if (maxTimestamp == Long.MIN_VALUE) {
      return Long.MIN_VALUE;
    }
    if (this == WALL_CLOCK) {
      return Math.max(maxTimestamp, nowMs);
    }
    long followed = maxTimestamp > Long.MAX_VALUE - quietMs ? Long.MAX_VALUE : maxTimestamp + Math.max(0, quietMs);
    return Math.max(maxTimestamp, Math.min(nowMs, followed));
  }
}
