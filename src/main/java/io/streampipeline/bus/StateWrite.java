package io.streampipeline.bus;

/**
 * What a checkpoint writes of one partition's window state (docs/design.md#window-state-storage): either the
 * whole state ({@code full}: a {@link WindowSnapshotCodec} snapshot for pipeline_checkpoints.state_snapshot, and
 * the partition's stored changes are deleted) or what changed since the previous write (a
 * {@link WindowDeltaCodec} delta, one row of pipeline_state_changes with number {@code seq}: 1, 2, ... after each
 * full snapshot). A delta only means something on top of every earlier write of the same partition: the sink
 * must write a partition's state writes in order, never one without those before it.
 */
public record StateWrite(boolean full, long seq, byte[] bytes) {

  public static StateWrite full(byte[] snapshot) {
    return new StateWrite(true, 0, snapshot);
  }

  public static StateWrite delta(long seq, byte[] changes) {
    if (seq <= 0) {
      throw new IllegalArgumentException("delta seq must be > 0, was " + seq);
    }
    return new StateWrite(false, seq, changes);
  }

  public int size() {
    return bytes.length;
  }
}
