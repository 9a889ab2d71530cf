package io.streampipeline.ingest;

import io.streampipeline.app.PipelineConfig.OffsetOutOfRange;

/**
 * Where a restored partition is read from, given its stored offset and the bounds of its log. A stored offset
 * outside {@code [logStart, logEnd]} means the log is not the one the offset was stored for (the topic was
 * deleted and created again) or records were removed before they were read (retention): continuing there would
 * skip every record up to the old offset without a trace, so the policy decides.
 */
public record StartPosition(Action action, long readFrom) {

  public enum Action {
    /** Read from the stored offset, or from the log start for a partition never checkpointed. */
    CONTINUE,
    /**
     * The stored offset is outside the log: read on from the log start. The window state is kept: windows the
     * old log closed stay closed (a new event for one of them is stored and counted late) and open ones count on,
     * so no window row is ever written again with other figures under the same window_id.
     */
    RESET,
    /** The stored offset is outside the log: read nothing until an operator acts. */
    HALT
  }

  /** @param stored the stored next offset, -1 when the partition was never checkpointed */
  public static StartPosition decide(long stored, long logStart, long logEnd, OffsetOutOfRange policy) {
    if (stored < 0) {
      return new StartPosition(Action.CONTINUE, logStart);
    }
    if (stored >= logStart && stored <= logEnd) {
      return new StartPosition(Action.CONTINUE, stored);
    }
    return policy == OffsetOutOfRange.HALT ? new StartPosition(Action.HALT, stored)
        : new StartPosition(Action.RESET, logStart);
  }

  public boolean outOfRange() {
    return action != Action.CONTINUE;
  }
}
