package io.streampipeline.window.state;

import io.streampipeline.window.OpenWindow;
import io.streampipeline.window.Session;
import io.streampipeline.window.WindowFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The byte format of a window state delta: what changed in one partition's window state since its previous state
 * write, as {@link WindowChanges} recorded it (docs/design.md#window-state-storage). Stored in
 * pipeline_state_changes.changes and applied on top of the full snapshot in pipeline_checkpoints.state_snapshot, in
 * seq order, on restore. Every version ever written stays readable, like the snapshot format.
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
 * dictionary), following the same field description, {@link WindowFields}, and the same version. Applying (done by
 * the window state, from what {@link #decode} returns): time, windows, removals, then upserts (so a key removed and
 * opened again in the same interval ends as the new session), split-off list, dedup hashes pushed in order (the
 * ring is append-only: the same pushes on the same ring give the same ring; when more were pushed than it holds,
 * the whole ring is sent).
 */
public final class WindowDeltaCodec {
  private static final byte[] MAGIC = {'S', 'P', 'W', 'D'};
  public static final int UNCHANGED = 0;
  public static final int NEW = 1;
  public static final int GROWN = 2;

  /**
   * One open window as a delta lists it: {@code kind} {@link #UNCHANGED}, {@link #NEW} (the whole window) or
   * {@link #GROWN} (its stored fields as they are now, and only the users added since).
   */
  public record Listed(int kind, OpenWindow window) {
  }

  public record SessionKey(String userId, String sessionId) {
  }

  /**
   * A decoded delta. {@code wholeRing}: the id hashes replace the ring's contents, else they are pushed on top.
   */
  public record Delta(long seq, long maxTimestamp, long watermark, List<Listed> windows, List<SessionKey> removed,
      List<Session> upserts, List<Session> splitOff, boolean wholeRing, long[] dedupIds) {
  }

  private WindowDeltaCodec() {
  }

  /** @param expectedBytes about how large the delta will be (the last one's size), 0 when not known */
  public static byte[] encode(WindowStateView state, WindowChanges changes, long seq, int expectedBytes) {
    List<Session> upserts = changes.upserts();
    SnapshotOutput out = new SnapshotOutput(expectedBytes, WindowSnapshotCodec.expectedStrings(state.openWindows(),
        changes::storedUsers, upserts.size() + changes.removed().size() + state.splitOff().size()));
    WindowSnapshotCodec.writeHeader(out, MAGIC, state.partition());
    out.writeVarLong(seq);
    out.writeZigZag(state.maxTimestamp());
    out.writeZigZag(state.watermark());
    List<OpenWindow> windows = state.openWindows();
    out.writeVarLong(windows.size());
    for (OpenWindow w : windows) {
      WindowSnapshotCodec.writeWindowKey(out, w);
      if (!changes.stored(w)) {
        out.writeVarLong(NEW);
        WindowFields.TUMBLING.write(out, w);
        WindowSnapshotCodec.writeUsers(out, w, 0);
      } else if (changes.counted(w)) {
        out.writeVarLong(GROWN);
        WindowFields.TUMBLING.write(out, w);
        WindowSnapshotCodec.writeUsers(out, w, changes.storedUsers(w));
      } else {
        out.writeVarLong(UNCHANGED);
      }
    }
    List<Session> removed = changes.removed();
    out.writeVarLong(removed.size());
    for (Session s : removed) {
      out.writeString(s.userId());
      out.writeString(s.sessionId());
    }
    out.writeVarLong(upserts.size());
    for (Session s : upserts) {
      WindowSnapshotCodec.writeSession(out, s);
    }
    out.writeVarLong(state.splitOff().size());
    for (Session s : state.splitOff()) {
      WindowSnapshotCodec.writeSession(out, s);
    }
    long pushed = changes.dedupPushed();
    long[] ids;
    if (pushed <= state.dedup().size()) {
      out.writeVarLong(0);
      ids = state.dedup().newest((int) pushed);
    } else {
      out.writeVarLong(1);
      ids = state.dedup().toArray();
    }
    out.writeVarLong(ids.length);
    for (long id : ids) {
      out.writeFixedLong(id);
    }
    return out.toByteArray();
  }

  /**
   * Reads one delta, whole, before anything of it is applied: a delta that cannot be read fails the restore.
   *
   * @throws IllegalArgumentException when the bytes are not a delta of this partition with number
   *     {@code expectedSeq}, are of an unknown version, or are malformed
   */
  public static Delta decode(int partition, byte[] delta, long expectedSeq) {
    SnapshotInput in = new SnapshotInput(delta);
    long version = WindowSnapshotCodec.readHeader(in, MAGIC, "window state delta", partition, "applied to");
    long seq = in.readVarLong();
    if (seq != expectedSeq) {
      throw new IllegalArgumentException("window state delta " + seq + " found where delta " + expectedSeq
          + " belongs (a change is missing or out of order)");
    }
    long maxTimestamp = in.readZigZag();
    long watermark = in.readZigZag();

    int windowCount = in.readCount();
    List<Listed> listed = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < windowCount; i++) {
      OpenWindow w = WindowSnapshotCodec.readWindowKey(in);
      if (!keys.add(w.type().ordinal() + "/" + w.start())) {
        throw in.corrupt("window " + w.type().wireName() + " at " + w.start() + " twice");
      }
      int kind = in.readInt();
      if (kind == NEW || kind == GROWN) {
        WindowFields.TUMBLING.read(in, w, version);
        WindowSnapshotCodec.readUsers(in, w);
      } else if (kind != UNCHANGED) {
        throw in.corrupt("unknown window kind " + kind);
      }
      listed.add(new Listed(kind, w));
    }
    List<SessionKey> removed = new ArrayList<>();
    int removedCount = in.readCount();
    for (int i = 0; i < removedCount; i++) {
      removed.add(new SessionKey(in.readString(), in.readString()));
    }
    List<Session> upserts = WindowSnapshotCodec.readSessions(in, version);
    List<Session> splitOff = WindowSnapshotCodec.readSessions(in, version);
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
    return new Delta(seq, maxTimestamp, watermark, listed, removed, upserts, splitOff, dedupMode == 1, ids);
  }
}
