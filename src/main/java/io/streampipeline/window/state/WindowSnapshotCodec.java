package io.streampipeline.window.state;

import io.streampipeline.window.OpenWindow;
import io.streampipeline.window.Session;
import io.streampipeline.window.WindowDefinitions;
import io.streampipeline.window.WindowFields;
import io.streampipeline.bus.WindowType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The byte format of a partition's window state snapshot, stored in pipeline_checkpoints.state_snapshot. Kept
 * apart from the window logic so that the state can change shape while every stored format stays readable:
 * {@link #decode} reads each version ever written, and a fixture test holds version 1 to that.
 *
 * <p>Format version 1:
 *
 * <pre>
 * magic "SPWS", varint version (1), varint partition,
 * zigzag maxTimestamp, zigzag watermark,
 * varint windowCount, per window:  varint type ordinal, zigzag start, zigzag end, aggregate,
 *                                  varint userCount, string* users
 * varint sessionCount, per open session: session
 * varint splitOffCount, per session split off and not yet emitted: session
 * varint dedupCapacity, varint dedupCount, dedupCount × fixed 8-byte little-endian id hash, oldest first
 * session   = string userId, string sessionId, the fields of {@link WindowFields#SESSION}
 *             (zigzag first, varint (last - first), aggregate)
 * aggregate = the fields of {@link WindowFields#TUMBLING}: varint eventCount, pageViews, addToCarts, purchases,
 *             zigzag revenueCents, tally products, tally categories
 * tally     = varint n, n × (string key, varint count)
 * string    = varint 0, varint byteLength, UTF-8 bytes   (first occurrence)
 *           | varint k                                   (k-th distinct string of the snapshot, from 1)
 * </pre>
 *
 * The type ordinal is that of {@link WindowType}; windows are written type by type in the order of
 * {@link WindowDefinitions#TUMBLING}. The id hashes are XXH64 (seed 0) of the event_id's UTF-8 bytes. A field
 * added to the aggregates' description raises the version written to that field's {@code since}; older versions
 * are read without the fields they did not hold.
 */
public final class WindowSnapshotCodec {
  private static final byte[] MAGIC = {'S', 'P', 'W', 'S'};
  /** The format written; decode also reads every earlier version. */
  static final int FORMAT_VERSION = Math.max(WindowFields.TUMBLING.version(), WindowFields.SESSION.version());

  /** A decoded snapshot: the clocks, the open windows and sessions, the split-off ones, the id hashes oldest first. */
  public record Stored(long maxTimestamp, long watermark, List<OpenWindow> windows, List<Session> openSessions,
      List<Session> splitOff, long[] dedupIds) {
  }

  private WindowSnapshotCodec() {
  }

  public static byte[] encode(WindowStateView state) {
    return encode(state, 0);
  }

  /** @param expectedBytes about how large the snapshot will be (the last one's size), 0 when not known */
  public static byte[] encode(WindowStateView state, int expectedBytes) {
    SnapshotOutput out = new SnapshotOutput(expectedBytes, expectedStrings(state.openWindows(), null,
        state.openSessions() + state.splitOff().size()));
    writeHeader(out, MAGIC, state.partition());
    out.writeZigZag(state.maxTimestamp());
    out.writeZigZag(state.watermark());
    List<OpenWindow> windows = state.openWindows();
    out.writeVarLong(windows.size());
    for (OpenWindow w : windows) {
      writeWindowKey(out, w);
      WindowFields.TUMBLING.write(out, w);
      writeUsers(out, w, 0);
    }
    out.writeVarLong(state.openSessions());
    state.forEachOpenSession(s -> writeSession(out, s));
    out.writeVarLong(state.splitOff().size());
    for (Session s : state.splitOff()) {
      writeSession(out, s);
    }
    long[] ids = state.dedup().toArray();
    out.writeVarLong(state.dedup().capacity());
    out.writeVarLong(ids.length);
    for (long id : ids) {
      out.writeFixedLong(id);
    }
    return out.toByteArray();
  }

  /**
   * @throws IllegalArgumentException when the bytes are not a snapshot of this partition, are of an unknown
   *     format version, or hold a window or session twice
   */
  public static Stored decode(int partition, byte[] snapshot) {
    SnapshotInput in = new SnapshotInput(snapshot);
    long version = readHeader(in, MAGIC, "window snapshot", partition, "restored into");
    long maxTimestamp = in.readZigZag();
    long watermark = in.readZigZag();
    int windowCount = in.readCount();
    List<OpenWindow> windows = new ArrayList<>();
    Set<String> windowKeys = new HashSet<>();
    for (int i = 0; i < windowCount; i++) {
      OpenWindow w = readWindowKey(in);
      if (!windowKeys.add(w.type().ordinal() + "/" + w.start())) {
        throw in.corrupt("two " + w.type().wireName() + " windows at " + w.start());
      }
      WindowFields.TUMBLING.read(in, w, version);
      readUsers(in, w);
      windows.add(w);
    }
    List<Session> open = readSessions(in, version);
    Set<String> sessionKeys = new HashSet<>();
    for (Session s : open) {
      if (!sessionKeys.add(s.userId() + "\u0000" + s.sessionId())) {
        throw in.corrupt("session " + s.userId() + "/" + s.sessionId() + " twice");
      }
    }
    List<Session> splitOff = readSessions(in, version);
    int dedupCapacity = in.readInt();
    int dedupCount = in.readCount(Long.BYTES);
    if (dedupCount > dedupCapacity) {
      throw in.corrupt("dedup ring holds more than its capacity");
    }
    long[] ids = new long[dedupCount];
    for (int i = 0; i < dedupCount; i++) {
      ids[i] = in.readFixedLong();
    }
    if (!in.atEnd()) {
      throw in.corrupt("bytes left over");
    }
    return new Stored(maxTimestamp, watermark, windows, open, splitOff, ids);
  }

  /**
   * How many distinct strings a snapshot or delta of these windows and sessions may hold, at most: each session's
   * user and session id, each window's users, and room for the products and categories of the tallies.
   *
   * @param storedUsers per window, how many of its users are not written (null: all are written)
   */
  static int expectedStrings(List<OpenWindow> windows, ToIntFunction<OpenWindow> storedUsers,
      long sessions) {
    long strings = 2 * sessions + 1024;
    for (OpenWindow w : windows) {
      strings += w.users().size() - (storedUsers == null ? 0 : storedUsers.applyAsInt(w));
    }
    return (int) Math.min(strings, 1 << 26);
  }

  /** magic, varint version, varint partition: how snapshots and deltas begin. */
  static void writeHeader(SnapshotOutput out, byte[] magic, int partition) {
    for (byte b : magic) {
      out.writeByte(b);
    }
    out.writeVarLong(FORMAT_VERSION);
    out.writeVarLong(partition);
  }

  /**
   * Reads what {@link #writeHeader} wrote, checked against {@code magic} and {@code partition}.
   *
   * @param what the format's name in messages
   * @param verb how a state of another partition was used, in messages
   * @return the format version
   */
  static long readHeader(SnapshotInput in, byte[] magic, String what, int partition, String verb) {
    for (byte b : magic) {
      if (in.readByte() != (b & 0xFF)) {
        throw in.corrupt("not a " + what + " (bad magic)");
      }
    }
    long version = in.readVarLong();
    if (version < 1 || version > FORMAT_VERSION) {
      throw new IllegalArgumentException("unknown " + what + " format version " + version);
    }
    long storedPartition = in.readVarLong();
    if (storedPartition != partition) {
      throw new IllegalArgumentException(what + " of partition " + storedPartition + " " + verb + " partition "
          + partition);
    }
    return version;
  }

  /** varint type ordinal, zigzag start, zigzag end. */
  static void writeWindowKey(SnapshotOutput out, OpenWindow w) {
    out.writeVarLong(w.type().ordinal());
    out.writeZigZag(w.start());
    out.writeZigZag(w.end());
  }

  /** An empty window of the key read. */
  static OpenWindow readWindowKey(SnapshotInput in) {
    int typeOrdinal = in.readInt();
    if (typeOrdinal >= WindowType.values().length
        || WindowDefinitions.tumblingIndex(WindowType.values()[typeOrdinal]) < 0) {
      throw in.corrupt("not a tumbling window type: " + typeOrdinal);
    }
    return new OpenWindow(WindowType.values()[typeOrdinal], in.readZigZag(), in.readZigZag());
  }

  static void writeSession(SnapshotOutput out, Session s) {
    out.writeString(s.userId());
    out.writeString(s.sessionId());
    WindowFields.SESSION.write(out, s);
  }

  static List<Session> readSessions(SnapshotInput in, long version) {
    int count = in.readCount();
    List<Session> list = new ArrayList<>(Math.min(count, 1 << 16));
    for (int i = 0; i < count; i++) {
      Session s = new Session(in.readString(), in.readString());
      WindowFields.SESSION.read(in, s, version);
      list.add(s);
    }
    return list;
  }

  /**
   * varint n, n × string: a window's users from number {@code from} on (0 for all of them; the delta codec writes
   * the users added since the stored state).
   */
  static void writeUsers(SnapshotOutput out, OpenWindow w, int from) {
    out.writeVarLong(w.users().size() - from);
    for (int i = from; i < w.users().size(); i++) {
      out.writeString(w.users().get(i));
    }
  }

  static void readUsers(SnapshotInput in, OpenWindow w) {
    int users = in.readCount();
    for (int u = 0; u < users; u++) {
      w.users().add(in.readString());
    }
  }
}
