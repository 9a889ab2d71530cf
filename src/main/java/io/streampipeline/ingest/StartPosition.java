package io.streampipeline.ingest;

import io.streampipeline.config.PipelineConfig.OffsetOutOfRange;
import java.util.Locale;

/**
 * Where a restored partition is read from, given its stored position and the log it is in. A log is known by its
 * identity, not only by its offsets: a stored position is outside the log when its offset is outside
 * {@code [logStart, logEnd]} (records removed by retention before they were read, or a shorter log), when it was
 * stored for another topic ID (the topic was deleted and created again: its offsets count from 0 again, so a new
 * log that has already grown past the stored offset would otherwise be read from the middle), or when the broker
 * reports that the log diverged below it (truncated after an unclean leader election or a lost tail: KIP-320,
 * {@link #truncated}). Continuing there would skip records without a trace, so the policy decides.
 */
public record StartPosition(Action action, long readFrom, Reason reason) {

  public enum Action {
    /** Read from the stored offset, or from the log start for a partition never checkpointed. */
    CONTINUE,
    /**
     * The stored position is outside the log: read on from the log start (from the point where a truncated log
     * diverged). The window state is kept: windows the old log closed stay closed (a new event for one of them is
     * stored and counted late) and open ones count on, so no window row is ever written again with other figures
     * under the same window_id.
     */
    RESET,
    /** The stored position is outside the log: read nothing until an operator acts. */
    HALT
  }

  /** Why a position is outside the log; also the {@code reason} tag of the metric. */
  public enum Reason {
    NONE,
    /** The stored offset is outside the log's bounds. */
    OFFSET,
    /** The position was stored for another log of the same name: the topic was created again. */
    TOPIC_ID,
    /** The log diverged below the stored offset (validated with the stored leader epoch). */
    TRUNCATED;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** @param stored the stored next offset, -1 when the partition was never checkpointed */
  public static StartPosition decide(long stored, long logStart, long logEnd, OffsetOutOfRange policy) {
    return decide(stored, null, null, logStart, logEnd, policy);
  }

  /**
   * @param stored the stored next offset, -1 when the partition was never checkpointed
   * @param storedTopicId the topic ID stored with it; null when none was recorded (a row from before topic IDs were
   *     stored), which is adopted: the next checkpoint stores the current one
   * @param topicId the topic's ID now
   */
  public static StartPosition decide(long stored, String storedTopicId, String topicId, long logStart, long logEnd,
      OffsetOutOfRange policy) {
    if (stored < 0) {
      return new StartPosition(Action.CONTINUE, logStart, Reason.NONE);
    }
    if (storedTopicId != null && !storedTopicId.equals(topicId)) {
      return outside(stored, logStart, Reason.TOPIC_ID, policy);
    }
    if (stored >= logStart && stored <= logEnd) {
      return new StartPosition(Action.CONTINUE, stored, Reason.NONE);
    }
    return outside(stored, logStart, Reason.OFFSET, policy);
  }

  /**
   * Whether a stored offset past the log's end is first to be sought with its leader epoch: in the same log (same
   * topic ID) a log shorter than what was read was truncated, and the leader knows where it diverged, which is
   * where reading goes on under {@code reset} rather than the log start (re-reading from there would count events
   * in windows again).
   */
  public static boolean truncationSuspected(long stored, String storedTopicId, int storedEpoch, String topicId,
      long logEnd) {
    return stored > logEnd && storedEpoch >= 0 && storedTopicId != null && storedTopicId.equals(topicId);
  }

  /**
   * The consumer, seeking to {@code stored} with its leader epoch, was told by the broker that the log diverges
   * at {@code divergesAt} (below {@code stored}): the records from there on were written again after those read.
   * Under {@code reset} reading goes on from the divergence (everything before it is the log that was read).
   */
  public static StartPosition truncated(long stored, long divergesAt, OffsetOutOfRange policy) {
    return outside(stored, divergesAt, Reason.TRUNCATED, policy);
  }

  private static StartPosition outside(long stored, long resetTo, Reason reason, OffsetOutOfRange policy) {
    return policy == OffsetOutOfRange.HALT ? new StartPosition(Action.HALT, stored, reason)
        : new StartPosition(Action.RESET, resetTo, reason);
  }

  public boolean outOfRange() {
    return action != Action.CONTINUE;
  }
}
