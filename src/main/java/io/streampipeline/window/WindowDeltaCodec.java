package io.streampipeline.window;

import io.streampipeline.bus.WindowType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The byte format of a window state delta: what changed in one partition's {@link PartitionWindows} since its
 * previous state write (docs/design.md#window-state-storage). Stored in pipeline_state_changes.changes and applied
 * on top of the full snapshot in pipeline_checkpoints.state_snapshot, in seq order, on restore. Every version ever
 * written stays readable, like the snapshot format.
 *
 * <p>Format version 1:
 *
 * <pre>
 * magic "SPWD", varint version (1), varint partition, varint seq (1 for the first delta after a full snapshot),
 * zigzag maxTimestamp, zigzag watermark                          (absolute values)
 * varint windowCount: every open tumbling window (a stored window not listed has closed), per window:
 *   varint type ordinal, zigzag start, zigzag end, varint kind
 *   kind 0: unchanged
 *   kind 1: new since the previous write: aggregate, varint userCount, string* users
 *   kind 2: counted since: aggregate (the whole, small), varint addedCount, string* users added since
 * varint removedCount, per stored session closed or split off since: string userId, string sessionId
 * varint upsertCount, per session created or counted since and still open: session (snapshot format)
 * varint splitOffCount, per session split off and not yet emitted: session (the whole list, usually empty)
 * varint dedupMode (0: append the hashes, 1: the hashes are the whole ring), varint n,
 *   n × fixed 8-byte little-endian id hash, oldest first
 * </pre>
 *
 * Strings, sessions and aggregates are written as in {@link WindowSnapshotCodec} (with the delta's own string
 * dictionary). Applying: time, windows, removals, then upserts (so a key removed and opened again in the same
 * interval ends as the new session), split-off list, dedup hashes pushed in order (the ring is append-only: the
 * same pushes on the same ring give the same ring; when more were pushed than it holds, the whole ring is sent).
 */
final class WindowDeltaCodec {
  private static final byte[] MAGIC = {'S', 'P', 'W', 'D'};
  private static final int FORMAT_VERSION = 1;
  private static final int UNCHANGED = 0;
  private static final int NEW = 1;
  private static final int GROWN = 2;

  private WindowDeltaCodec() {
  }

  static byte[] encode(PartitionWindows state, long seq) {
    SnapshotOutput out = new SnapshotOutput();
    for (byte b : MAGIC) {
      out.writeByte(b);
    }
    out.writeVarLong(FORMAT_VERSION);
    out.writeVarLong(state.partition());
    out.writeVarLong(seq);
    out.writeZigZag(state.maxTimestamp());
    out.writeZigZag(state.watermark());
    List<OpenWindow> windows = state.openTumbling();
    out.writeVarLong(windows.size());
    for (OpenWindow w : windows) {
      out.writeVarLong(w.type.ordinal());
      out.writeZigZag(w.start);
      out.writeZigZag(w.end);
      if (!w.persisted) {
        out.writeVarLong(NEW);
        WindowSnapshotCodec.writeAggregate(out, w);
        WindowSnapshotCodec.writeStrings(out, w.users, 0);
      } else if (w.dirty) {
        out.writeVarLong(GROWN);
        WindowSnapshotCodec.writeAggregate(out, w);
        WindowSnapshotCodec.writeStrings(out, w.users, w.storedUsers);
      } else {
        out.writeVarLong(UNCHANGED);
      }
    }
    List<Session> removed = state.removedSessions();
    out.writeVarLong(removed.size());
    for (Session s : removed) {
      out.writeString(s.userId);
      out.writeString(s.sessionId);
    }
    List<Session> upserts = new ArrayList<>();
    for (Session s : state.touchedSessions()) {
      if (!s.closed) {
        upserts.add(s);
      }
    }
    out.writeVarLong(upserts.size());
    for (Session s : upserts) {
      WindowSnapshotCodec.writeSession(out, s);
    }
    out.writeVarLong(state.splitOff().size());
    for (Session s : state.splitOff()) {
      WindowSnapshotCodec.writeSession(out, s);
    }
    DedupRing dedup = state.dedup();
    long pushed = state.dedupPushed();
    long[] ids;
    if (pushed <= dedup.size()) {
      out.writeVarLong(0);
      ids = dedup.newest((int) pushed);
    } else {
      out.writeVarLong(1);
      ids = dedup.toArray();
    }
    out.writeVarLong(ids.length);
    for (long id : ids) {
      out.writeFixedLong(id);
    }
    return out.toByteArray();
  }

  /**
   * Applies one delta to {@code state} (restored from the base snapshot and the deltas before this one).
   *
   * @throws IllegalArgumentException when the bytes are not a delta of this partition with number
   *     {@code expectedSeq}, are of an unknown version, or do not fit the state (a window or session the delta
   *     refers to is missing): the state is then unusable and the partition must not be processed
   */
  static void apply(PartitionWindows state, byte[] delta, long expectedSeq) {
    SnapshotInput in = new SnapshotInput(delta);
    for (byte b : MAGIC) {
      if (in.readByte() != (b & 0xFF)) {
        throw in.corrupt("not a window state delta (bad magic)");
      }
    }
    long version = in.readVarLong();
    if (version != 1) {
      throw new IllegalArgumentException("unknown window state delta format version " + version);
    }
    long storedPartition = in.readVarLong();
    if (storedPartition != state.partition()) {
      throw new IllegalArgumentException("window state delta of partition " + storedPartition
          + " applied to partition " + state.partition());
    }
    long seq = in.readVarLong();
    if (seq != expectedSeq) {
      throw new IllegalArgumentException("window state delta " + seq + " found where delta " + expectedSeq
          + " belongs (a change is missing or out of order)");
    }
    long maxTimestamp = in.readZigZag();
    long watermark = in.readZigZag();

    int windowCount = in.readCount();
    List<OpenWindow> listed = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < windowCount; i++) {
      int typeOrdinal = in.readInt();
      if (typeOrdinal >= WindowType.values().length
          || WindowDefinitions.tumblingIndex(WindowType.values()[typeOrdinal]) < 0) {
        throw in.corrupt("not a tumbling window type: " + typeOrdinal);
      }
      WindowType type = WindowType.values()[typeOrdinal];
      long start = in.readZigZag();
      long end = in.readZigZag();
      if (!keys.add(typeOrdinal + "/" + start)) {
        throw in.corrupt("window " + type.wireName() + " at " + start + " twice");
      }
      int kind = in.readInt();
      OpenWindow w;
      if (kind == NEW) {
        w = new OpenWindow(type, start, end);
        WindowSnapshotCodec.readAggregate(in, w);
        int users = in.readCount();
        for (int u = 0; u < users; u++) {
          w.users.add(in.readString());
        }
      } else if (kind == GROWN || kind == UNCHANGED) {
        w = state.openWindow(type, start);
        if (w == null || w.end != end) {
          throw in.corrupt("window " + type.wireName() + " at " + start + " is not in the stored state");
        }
        if (kind == GROWN) {
          WindowSnapshotCodec.readAggregate(in, w);
          int users = in.readCount();
          for (int u = 0; u < users; u++) {
            w.users.add(in.readString());
          }
        }
      } else {
        throw in.corrupt("unknown window kind " + kind);
      }
      listed.add(w);
    }
    List<SessionKey> removed = new ArrayList<>();
    int removedCount = in.readCount();
    for (int i = 0; i < removedCount; i++) {
      removed.add(new SessionKey(in.readString(), in.readString()));
    }
    List<Session> upserts = WindowSnapshotCodec.readSessions(in);
    List<Session> splitOff = WindowSnapshotCodec.readSessions(in);
    int dedupMode = in.readInt();
    if (dedupMode > 1) {
      throw in.corrupt("unknown dedup mode " + dedupMode);
    }
    int idCount = in.readCount(Long.BYTES);
    long[] ids = new long[idCount];
    for (int i = 0; i < idCount; i++) {
      ids[i] = in.readFixedLong();
    }
    if (!in.atEnd()) {
      throw in.corrupt("bytes left over");
    }

    // Read whole before the sessions, clocks and ring change (windows counted on were updated in place above): a
    // delta that fails here fails the whole restore, and the half-built state is thrown away with it.
    state.restoreTime(maxTimestamp, watermark);
    state.replaceWindows(listed);
    for (SessionKey key : removed) {
      if (!state.removeStoredSession(key.userId(), key.sessionId())) {
        throw new IllegalArgumentException("window state delta " + seq + " removes session " + key.userId()
            + "/" + key.sessionId() + ", which is not in the stored state");
      }
    }
    for (Session s : upserts) {
      state.upsertStoredSession(s);
    }
    state.replaceSplitOff(splitOff);
    DedupRing dedup = state.dedup();
    if (dedupMode == 1) {
      dedup.clear();
    }
    for (long id : ids) {
      if (!dedup.add(id)) {
        throw new IllegalArgumentException("window state delta " + seq + " pushes an event id hash the stored "
            + "state already holds");
      }
    }
  }

  private record SessionKey(String userId, String sessionId) {
  }
}
