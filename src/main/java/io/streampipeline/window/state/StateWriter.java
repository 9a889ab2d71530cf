package io.streampipeline.window.state;

import io.streampipeline.bus.StateWrite;

/**
 * Decides what the next state write of one partition is, full snapshot or delta (docs/design.md#window-state-storage),
 * writes it with the codecs and starts the change record over.
 */
public final class StateWriter {
  /**
   * How much the stored deltas may add up to, relative to the base snapshot, before the next write is a full
   * snapshot again. 1: restore reads at most about twice the state (base plus deltas, one delta more at most), and
   * since a full snapshot is written only after deltas as large as it, its cost is paid at most once per "state's
   * worth" of changes: checkpoint cost stays proportional to what changed (amortized at most twice the delta
   * bytes), not to what is open. A larger factor would write fewer full snapshots but make restores read (and
   * apply) more.
   */
  public static final double FULL_AFTER_DELTAS_OF = 1.0;

  private final WindowChanges changes;
  /** Size of the full snapshot the stored state is based on; 0 when none is stored (the next write is full). */
  private long baseBytes;
  /** Bytes of the deltas stored on top of that base, and how many (the last one's seq). */
  private long deltaBytes;
  private long deltaSeq;
  /** Size of the last delta written, to size the next one's buffer. */
  private int lastDeltaBytes;

  public StateWriter(WindowChanges changes) {
    this.changes = changes;
  }

  /**
   * What the next checkpoint writes, and forgets what changed: null when nothing changed since the last write; a
   * full snapshot when no base is stored yet or when the deltas stored on the base already add up to more than
   * {@link #FULL_AFTER_DELTAS_OF} times its size; else a delta. Deciding before encoding means no delta is encoded
   * only to be thrown away; the delta that crosses the limit is written, so the deltas stay within the limit plus
   * one delta.
   *
   * @param full true or false forces the choice (false still needs a base); null lets the rule decide
   */
  public StateWrite next(WindowStateView state, Boolean full) {
    if (!changes.mutated() && !Boolean.TRUE.equals(full)) {
      return null;
    }
    boolean deltasWithinLimit = deltaBytes <= FULL_AFTER_DELTAS_OF * baseBytes;
    if (baseBytes > 0 && (Boolean.FALSE.equals(full) || (full == null && deltasWithinLimit))) {
      byte[] delta = WindowDeltaCodec.encode(state, changes, deltaSeq + 1, lastDeltaBytes);
      lastDeltaBytes = delta.length;
      deltaSeq++;
      deltaBytes += delta.length;
      changes.written(state.openWindows(), true);
      return StateWrite.delta(deltaSeq, delta);
    }
    byte[] snapshot = WindowSnapshotCodec.encode(state, (int) Math.min(Integer.MAX_VALUE - 16, baseBytes));
    restored(state, snapshot.length, 0, 0);
    return StateWrite.full(snapshot);
  }

  /** The stored state is {@code state} now: a base of {@code baseBytes} (0: none) and deltas on top of it. */
  public void restored(WindowStateView state, long baseBytes, long deltaBytes, long deltaSeq) {
    this.baseBytes = baseBytes;
    this.deltaBytes = deltaBytes;
    this.deltaSeq = deltaSeq;
    changes.written(state.openWindows(), baseBytes > 0);
  }
}
