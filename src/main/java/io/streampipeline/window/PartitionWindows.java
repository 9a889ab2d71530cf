package io.streampipeline.window;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * All event-time window and session state of one partition (docs/design.md#windows-and-sessions). Plain Java,
 * single-threaded:
 * the owner calls it from one thread only.
 *
 * <p><b>Time.</b> The watermark is the highest event timestamp added so far minus the allowed lateness
 * ({@code Long.MIN_VALUE} before the first event); it never goes back. {@link #advanceIdle} may move it
 * further to follow the wall clock.
 *
 * <p><b>Events.</b> {@link #add} takes stored events (valid, not bots) of this partition in arrival order. An
 * event is <em>late</em> when one of its tumbling windows has already closed, i.e.
 * {@code min(end of its events_per_minute window, end of its revenue_per_5min window) <= watermark}: it is
 * left out of all windows and sessions. An event whose event_id is among the last 10,000 ids counted here is
 * a duplicate and counted once. Any other event is counted in its two tumbling windows and its session.
 *
 * <p><b>Windows.</b> Tumbling windows are {@code [start, end)}, aligned to the epoch, and close when
 * {@code watermark >= end}. Sessions are keyed by (user_id, session_id) and span their first to last event
 * time: an event more than the session timeout after the session's last event closes it and starts a new
 * one; an open session closes when {@code watermark - last > timeout}, and from that moment an event of the
 * same key starts a new session even before {@link #closeReady} has emitted the old one. An event before the
 * session's first event extends it backwards (sessions are only split forwards; a backward gap beyond the timeout can only
 * occur when the timeout is shorter than the allowed lateness plus the tumbling window size).
 *
 * <p><b>Emission.</b> {@link #closeReady} returns and forgets what has closed, so memory holds only what is
 * open. {@link #snapshot} / {@link #restore} carry the complete state across restarts and rebalances.
 */
public final class PartitionWindows {
  /** How many event ids are remembered to count a repeat once: those of the last events counted in windows. */
  public static final int DEDUP_EVENTS = DedupRing.CAPACITY;
  public static final int TOP_PRODUCTS = 10;
  public static final int TOP_CATEGORIES = 5;

  private static final byte[] MAGIC = {'S', 'P', 'W', 'S'};
  /** The snapshot format written; restore also reads every earlier version. */
  private static final int FORMAT_VERSION = 1;
  private static final Comparator<WindowResult> RESULT_ORDER = Comparator
      .comparing(WindowResult::type)
      .thenComparingLong(WindowResult::windowStart)
      .thenComparing(WindowResult::windowId);

  private final int partition;
  private final WindowSettings settings;
  private final WindowSet minute;
  private final WindowSet revenue;
  private final SessionTable sessions = new SessionTable();
  private final ExpiryQueue expiry = new ExpiryQueue();
  /** Sessions closed by a split in add(), emitted by the next closeReady. */
  private final List<Session> splitOff = new ArrayList<>();
  private final DedupRing dedup;
  private final EventIdHash idHash = new EventIdHash();
  private long maxTimestamp = Long.MIN_VALUE;
  private long watermark = Long.MIN_VALUE;

  public PartitionWindows(int partition, WindowSettings settings) {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    this.partition = partition;
    this.settings = settings;
    this.minute = new WindowSet(WindowType.EVENTS_PER_MINUTE, new TumblingWindows(settings.tumblingMs()));
    this.revenue = new WindowSet(WindowType.REVENUE_PER_5MIN, new TumblingWindows(settings.revenueMs()));
    this.dedup = new DedupRing(DedupRing.CAPACITY);
  }

  /**
   * Counts one stored event of this partition. The late test comes first, so a late repeat is reported late;
   * late and repeated events do not move the watermark.
   *
   * @throws IllegalArgumentException when the event was read from another partition
   * @return false when the event is late (left out of windows and sessions; the caller counts it in
   *     events_late_total); true otherwise, including a duplicate that was ignored
   */
  public boolean add(EnrichedEvent enriched) {
    if (enriched.partition() != partition) {
      throw new IllegalArgumentException("event of partition " + enriched.partition() + " added to " + partition);
    }
    ClickstreamEvent e = enriched.event();
    long ts = e.timestamp();
    if (Math.min(minute.windows.endFor(ts), revenue.windows.endFor(ts)) <= watermark) {
      return false;
    }
    if (!dedup.add(idHash.hash(e.eventId()))) {
      return true;
    }
    long revenueCents = enriched.revenueCents();
    minute.count(e, ts, revenueCents);
    revenue.count(e, ts, revenueCents);
    countInSession(e, ts, revenueCents);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      watermark = Math.max(watermark, minusLateness(ts));
    }
    return true;
  }

  private void countInSession(ClickstreamEvent e, long ts, long revenueCents) {
    String userId = e.userId();
    String sessionId = e.sessionId();
    int hash = Session.hash(userId, sessionId);
    Session s = sessions.get(userId, sessionId, hash);
    // A session the watermark has passed is closed whether or not closeReady has run yet: which session an
    // event joins depends on the records alone, never on when the timer fired.
    long timeout = settings.sessionTimeoutMs();
    if (s != null && (exceeds(ts, s.last, timeout) || exceeds(watermark, s.last, timeout))) {
      sessions.remove(s);
      s.closed = true;
      splitOff.add(s);
      s = null;
    }
    if (s == null) {
      s = new Session(userId, sessionId, hash, ts);
      sessions.put(s);
      expiry.push(s);
    } else if (ts > s.last) {
      s.last = ts;
    } else if (ts < s.first) {
      s.first = ts;
    }
    s.count(e, revenueCents);
  }

  /**
   * Closes every tumbling window with {@code end <= watermark}, every session with
   * {@code watermark - last > timeout}, and the sessions split off by {@link #add}, and forgets them.
   *
   * @param emittedAtMs the emitted_at of the results
   * @return the closed windows ordered by type, window_start, window_id
   */
  public List<WindowResult> closeReady(long emittedAtMs) {
    List<WindowResult> out = new ArrayList<>();
    minute.closeUpTo(watermark, emittedAtMs, out);
    revenue.closeUpTo(watermark, emittedAtMs, out);
    for (Session s : splitOff) {
      out.add(sessionResult(s, emittedAtMs));
    }
    splitOff.clear();
    long timeout = settings.sessionTimeoutMs();
    Session head;
    while ((head = expiry.peek()) != null && exceeds(watermark, head.queuedLast, timeout)) {
      expiry.poll();
      if (head.closed) {
        continue;
      }
      if (exceeds(watermark, head.last, timeout)) {
        sessions.remove(head);
        head.closed = true;
        out.add(sessionResult(head, emittedAtMs));
      } else {
        expiry.push(head);
      }
    }
    out.sort(RESULT_ORDER);
    return out;
  }

  /** Lets event time follow the wall clock on a caught-up, quiet partition: max(watermark, now − lateness). */
  public void advanceIdle(long wallClockMs) {
    watermark = Math.max(watermark, minusLateness(wallClockMs));
  }

  public long watermark() {
    return watermark;
  }

  /** The highest event timestamp counted, {@code Long.MIN_VALUE} before the first. */
  public long maxTimestamp() {
    return maxTimestamp;
  }

  /** Open tumbling windows of both types. */
  public int openWindows() {
    return minute.open.size() + revenue.open.size();
  }

  /** Open sessions, not counting those split off and waiting for {@link #closeReady}. */
  public int openSessions() {
    return sessions.size();
  }

  public int partition() {
    return partition;
  }

  public WindowSettings settings() {
    return settings;
  }

  /** {@code t - lateness}, saturating instead of wrapping around for absurdly small t. */
  private long minusLateness(long t) {
    long lateness = settings.allowedLatenessMs();
    return t < Long.MIN_VALUE + lateness ? Long.MIN_VALUE : t - lateness;
  }

  /** {@code later - earlier > limit} without overflow, for any longs and a limit >= 0. */
  private static boolean exceeds(long later, long earlier, long limit) {
    return later > earlier && Long.compareUnsigned(later - earlier, limit) > 0;
  }

  private WindowResult sessionResult(Session s, long emittedAtMs) {
    return result(WindowIds.session(s.first, partition, s.userId, s.sessionId), WindowType.SESSION_SUMMARY,
        s.first, s.last, s.userId, s.sessionId, 1, s, emittedAtMs);
  }

  private WindowResult result(String id, WindowType type, long start, long end, String userId, String sessionId,
      long uniqueUsers, Aggregate a, long emittedAtMs) {
    CountMap.Sorted products = a.products == null ? CountMap.EMPTY : a.products.sorted();
    CountMap.Sorted categories = a.categories == null ? CountMap.EMPTY : a.categories.sorted();
    return new WindowResult(id, type, start, end, partition, userId, sessionId, a.eventCount, uniqueUsers,
        a.pageViews, a.addToCarts, a.purchases, a.revenueCents,
        List.of(Arrays.copyOf(products.keys(), Math.min(TOP_PRODUCTS, products.keys().length))),
        List.of(Arrays.copyOf(categories.keys(), Math.min(TOP_CATEGORIES, categories.keys().length))),
        products.keys(), products.counts(), categories.keys(), categories.counts(), emittedAtMs);
  }

  /** The open windows of one tumbling type, by start; the last one hit is cached as events mostly share it. */
  private final class WindowSet {
    final WindowType type;
    final TumblingWindows windows;
    final Map<Long, OpenWindow> open = new HashMap<>();
    OpenWindow lastHit;

    WindowSet(WindowType type, TumblingWindows windows) {
      this.type = type;
      this.windows = windows;
    }

    void count(ClickstreamEvent e, long ts, long revenueCents) {
      long start = windows.startFor(ts);
      OpenWindow w = lastHit;
      if (w == null || w.start != start) {
        w = open.get(start);
        if (w == null) {
          w = new OpenWindow(type, start, windows.endFor(ts));
          open.put(start, w);
        }
        lastHit = w;
      }
      w.count(e, revenueCents);
      w.users.add(e.userId());
    }

    void closeUpTo(long watermark, long emittedAtMs, List<WindowResult> out) {
      for (Iterator<OpenWindow> it = open.values().iterator(); it.hasNext(); ) {
        OpenWindow w = it.next();
        if (w.end <= watermark) {
          it.remove();
          out.add(result(WindowIds.tumbling(type, w.start, partition), type, w.start, w.end, null, null,
              w.users.size(), w, emittedAtMs));
        }
      }
      if (lastHit != null && lastHit.end <= watermark) {
        lastHit = null;
      }
    }

    void restore(OpenWindow w) {
      if (open.put(w.start, w) != null) {
        throw new IllegalArgumentException("corrupt window snapshot: two " + type.wireName() + " windows at "
            + w.start);
      }
    }
  }

  /**
   * The state as compact binary, format version 1:
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
   * The id hashes are XXH64 (seed 0) of the event_id's UTF-8 bytes.
   */
  public byte[] snapshot() {
    SnapshotOutput out = new SnapshotOutput();
    for (byte b : MAGIC) {
      out.writeByte(b);
    }
    out.writeVarLong(FORMAT_VERSION);
    out.writeVarLong(partition);
    out.writeZigZag(maxTimestamp);
    out.writeZigZag(watermark);
    out.writeVarLong(openWindows());
    for (WindowSet set : List.of(minute, revenue)) {
      for (OpenWindow w : set.open.values()) {
        out.writeVarLong(w.type.ordinal());
        out.writeZigZag(w.start);
        out.writeZigZag(w.end);
        writeAggregate(out, w);
        out.writeVarLong(w.users.size());
        for (String user : w.users) {
          out.writeString(user);
        }
      }
    }
    out.writeVarLong(sessions.size());
    sessions.forEach(s -> writeSession(out, s));
    out.writeVarLong(splitOff.size());
    for (Session s : splitOff) {
      writeSession(out, s);
    }
    long[] ids = dedup.toArray();
    out.writeVarLong(dedup.capacity());
    out.writeVarLong(ids.length);
    for (long id : ids) {
      out.writeFixedLong(id);
    }
    return out.toByteArray();
  }

  /**
   * Rebuilds the state {@link #snapshot} wrote, by this or an earlier build; the restored instance behaves
   * exactly as the original would for any further calls.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot of this partition, or are of an
   *     unknown format version
   */
  public static PartitionWindows restore(int partition, WindowSettings settings, byte[] snapshot) {
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
      int typeOrdinal = in.readCount();
      if (typeOrdinal != WindowType.EVENTS_PER_MINUTE.ordinal()
          && typeOrdinal != WindowType.REVENUE_PER_5MIN.ordinal()) {
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
    int dedupCapacity = in.readCount();
    int dedupCount = in.readCount();
    if (dedupCount > dedupCapacity) {
      throw in.corrupt("dedup ring holds more than its capacity");
    }
    long[] ids = new long[dedupCount];
    for (int i = 0; i < dedupCount; i++) {
      ids[i] = in.readFixedLong();
    }

    PartitionWindows pw = new PartitionWindows(partition, settings);
    pw.maxTimestamp = maxTimestamp;
    pw.watermark = watermark;
    for (OpenWindow w : windows) {
      (w.type == WindowType.EVENTS_PER_MINUTE ? pw.minute : pw.revenue).restore(w);
    }
    for (Session s : open) {
      if (pw.sessions.get(s.userId, s.sessionId, s.hash) != null) {
        throw in.corrupt("session " + s.userId + "/" + s.sessionId + " twice");
      }
      pw.sessions.put(s);
      pw.expiry.push(s);
    }
    for (Session s : splitOff) {
      s.closed = true;
      pw.splitOff.add(s);
    }
    // A ring written with another capacity keeps its newest ids; the duplicate rule is "the last N ids".
    for (int i = Math.max(0, ids.length - pw.dedup.capacity()); i < ids.length; i++) {
      pw.dedup.add(ids[i]);
    }
    return pw;
  }

  private static void writeSession(SnapshotOutput out, Session s) {
    out.writeString(s.userId);
    out.writeString(s.sessionId);
    out.writeZigZag(s.first);
    out.writeVarLong(s.last - s.first);
    writeAggregate(out, s);
  }

  private static List<Session> readSessions(SnapshotInput in) {
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

  private static void writeAggregate(SnapshotOutput out, Aggregate a) {
    out.writeVarLong(a.eventCount);
    out.writeVarLong(a.pageViews);
    out.writeVarLong(a.addToCarts);
    out.writeVarLong(a.purchases);
    out.writeZigZag(a.revenueCents);
    writeTally(out, a.products);
    writeTally(out, a.categories);
  }

  private static void readAggregate(SnapshotInput in, Aggregate a) {
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
