package io.streampipeline.window;

import io.streampipeline.bus.WindowType;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte format of a {@link PartitionWindows} snapshot, stored in pipeline_checkpoints.state_snapshot. Kept
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
 * session   = string userId, string sessionId, zigzag first, varint (last - first), aggregate
 * aggregate = varint eventCount, pageViews, addToCarts, purchases, zigzag revenueCents,
 *             tally products, tally categories
 * tally     = varint n, n × (string key, varint count)
 * string    = varint 0, varint byteLength, UTF-8 bytes   (first occurrence)
 *           | varint k                                   (k-th distinct string of the snapshot, from 1)
 * </pre>
 *
 * The type ordinal is that of {@link WindowType}; windows are written type by type in the order of
 * {@link WindowDefinitions#TUMBLING}. The id hashes are XXH64 (seed 0) of the event_id's UTF-8 bytes.
 */
final class WindowSnapshotCodec {
  private static final byte[] MAGIC = {'S', 'P', 'W', 'S'};
  /** The format written; decode also reads every earlier version. */
  private static final int FORMAT_VERSION = 1;

  private WindowSnapshotCodec() {
  }

  static byte[] encode(PartitionWindows state) {
    SnapshotOutput out = new SnapshotOutput();
    for (byte b : MAGIC) {
      out.writeByte(b);
    }
    out.writeVarLong(FORMAT_VERSION);
    out.writeVarLong(state.partition());
    out.writeZigZag(state.maxTimestamp());
    out.writeZigZag(state.watermark());
    List<OpenWindow> windows = state.openTumbling();
    out.writeVarLong(windows.size());
    for (OpenWindow w : windows) {
      out.writeVarLong(w.type.ordinal());
      out.writeZigZag(w.start);
      out.writeZigZag(w.end);
      writeAggregate(out, w);
      writeStrings(out, w.users, 0);
    }
    out.writeVarLong(state.sessions().size());
    state.sessions().forEach(s -> writeSession(out, s));
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
   * @throws IllegalArgumentException when the bytes are not a snapshot of this partition, or are of an
   *     unknown format version
   */
  static PartitionWindows decode(int partition, WindowSettings settings, byte[] snapshot) {
    SnapshotInput in = new SnapshotInput(snapshot);
    for (byte b : MAGIC) {
      if (in.readByte() != (b & 0xFF)) {
        throw in.corrupt("not a window snapshot (bad magic)");
      }
    }
    long version = in.readVarLong();
    PartitionWindows restored;
    if (version == 1) {
      restored = readV1(partition, settings, in);
    } else {
      throw new IllegalArgumentException("unknown window snapshot format version " + version);
    }
    if (!in.atEnd()) {
      throw in.corrupt("bytes left over");
    }
    return restored;
  }

  private static PartitionWindows readV1(int partition, WindowSettings settings, SnapshotInput in) {
    long storedPartition = in.readVarLong();
    if (storedPartition != partition) {
      throw new IllegalArgumentException("window snapshot of partition " + storedPartition
          + " restored into partition " + partition);
    }
    long maxTimestamp = in.readZigZag();
    long watermark = in.readZigZag();
    int windowCount = in.readCount();
    List<OpenWindow> windows = new ArrayList<>();
    for (int i = 0; i < windowCount; i++) {
      int typeOrdinal = in.readInt();
      if (typeOrdinal >= WindowType.values().length
          || WindowDefinitions.tumblingIndex(WindowType.values()[typeOrdinal]) < 0) {
        throw in.corrupt("not a tumbling window type: " + typeOrdinal);
      }
      OpenWindow w = new OpenWindow(WindowType.values()[typeOrdinal], in.readZigZag(), in.readZigZag());
      readAggregate(in, w);
      int users = in.readCount();
      for (int u = 0; u < users; u++) {
        w.users.add(in.readString());
      }
      windows.add(w);
    }
    List<Session> open = readSessions(in);
    List<Session> splitOff = readSessions(in);
    int dedupCapacity = in.readInt();
    int dedupCount = in.readCount(Long.BYTES);
    if (dedupCount > dedupCapacity) {
      throw in.corrupt("dedup ring holds more than its capacity");
    }
    long[] ids = new long[dedupCount];
    for (int i = 0; i < dedupCount; i++) {
      ids[i] = in.readFixedLong();
    }

    PartitionWindows pw = new PartitionWindows(partition, settings);
    pw.restoreTime(maxTimestamp, watermark);
    windows.forEach(pw::restoreWindow);
    for (Session s : open) {
      if (!pw.restoreOpenSession(s)) {
        throw in.corrupt("session " + s.userId + "/" + s.sessionId + " twice");
      }
    }
    splitOff.forEach(pw::restoreSplitOff);
    // A ring written with another capacity keeps its newest ids; the duplicate rule is "the last N ids".
    DedupRing dedup = pw.dedup();
    for (int i = Math.max(0, ids.length - dedup.capacity()); i < ids.length; i++) {
      dedup.add(ids[i]);
    }
    return pw;
  }

  static void writeSession(SnapshotOutput out, Session s) {
    out.writeString(s.userId);
    out.writeString(s.sessionId);
    out.writeZigZag(s.first);
    out.writeVarLong(s.last - s.first);
    writeAggregate(out, s);
  }

  static List<Session> readSessions(SnapshotInput in) {
    int count = in.readCount();
    List<Session> list = new ArrayList<>(Math.min(count, 1 << 16));
    for (int i = 0; i < count; i++) {
      String userId = in.readString();
      String sessionId = in.readString();
      long first = in.readZigZag();
      Session s = new Session(userId, sessionId, Session.hash(userId, sessionId), first);
      s.last = first + in.readVarLong();
      readAggregate(in, s);
      list.add(s);
    }
    return list;
  }

  /**
   * varint n, n × string: a window's users from number {@code from} on (0 for all of them; the delta codec writes
   * the users added since the stored state).
   */
  static void writeStrings(SnapshotOutput out, NumberedStrings strings, int from) {
    out.writeVarLong(strings.size() - from);
    for (int i = from; i < strings.size(); i++) {
      out.writeString(strings.get(i));
    }
  }

  static void writeAggregate(SnapshotOutput out, Aggregate a) {
    out.writeVarLong(a.eventCount);
    out.writeVarLong(a.pageViews);
    out.writeVarLong(a.addToCarts);
    out.writeVarLong(a.purchases);
    out.writeZigZag(a.revenueCents);
    writeTally(out, a.products);
    writeTally(out, a.categories);
  }

  static void readAggregate(SnapshotInput in, Aggregate a) {
    a.eventCount = in.readVarLong();
    a.pageViews = in.readVarLong();
    a.addToCarts = in.readVarLong();
    a.purchases = in.readVarLong();
    a.revenueCents = in.readZigZag();
    a.products = readTally(in, a.tallyCapacity());
    a.categories = readTally(in, a.tallyCapacity());
  }

  private static void writeTally(SnapshotOutput out, CountMap tally) {
    if (tally == null) {
      out.writeVarLong(0);
      return;
    }
    out.writeVarLong(tally.size());
    tally.forEach((key, count) -> {
      out.writeString(key);
      out.writeVarLong(count);
    });
  }

  private static CountMap readTally(SnapshotInput in, int minCapacity) {
    int n = in.readCount();
    if (n == 0) {
      return null;
    }
    CountMap tally = new CountMap(Math.max(minCapacity, Math.min(n * 2, 1 << 20)));
    for (int i = 0; i < n; i++) {
      tally.add(in.readString(), in.readVarLong());
    }
    return tally;
  }
}
