package io.streampipeline.window;

import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
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
 * ({@code Long.MIN_VALUE} before the first event); it never goes back. {@link #advanceEventTime} may move it
 * further when the partition is quiet ({@link IdleRule} decides how far).
 *
 * <p><b>Events.</b> {@link #add} takes stored events (valid, not bots) of this partition in arrival order. An
 * event is <em>late</em> when one of its tumbling windows ({@link WindowDefinitions#TUMBLING}) has already
 * closed, i.e. the end of its window of some tumbling type is {@code <= watermark}: it is left out of all windows
 * and sessions. An event whose event_id is among the last 10,000 ids counted here is
 * a duplicate and counted once. Any other event is counted in its tumbling windows and its session.
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
 * open. {@link #snapshot} / {@link #restore} carry the complete state across restarts and rebalances;
 * {@link #checkpointState} writes it incrementally (a full snapshot now and then, deltas in between).
 */
public final class PartitionWindows {
  /** How many event ids are remembered to count a repeat once: those of the last events counted in windows. */
  public static final int DEDUP_EVENTS = DedupRing.CAPACITY;
  public static final int TOP_PRODUCTS = 10;
  public static final int TOP_CATEGORIES = 5;

  private static final Comparator<WindowResult> RESULT_ORDER = Comparator
      .comparing(WindowResult::type)
      .thenComparingLong(WindowResult::windowStart)
      .thenComparing(WindowResult::windowId);

  private final int partition;
  private final WindowSettings settings;
  /** One per entry of {@link WindowDefinitions#TUMBLING}, in its order. */
  private final WindowSet[] tumbling;
  private final SessionTable sessions = new SessionTable();
  private final ExpiryQueue expiry = new ExpiryQueue();
  /** Sessions closed by a split in add(), emitted by the next closeReady. */
  private final List<Session> splitOff = new ArrayList<>();
  private final DedupRing dedup = new DedupRing(DedupRing.CAPACITY);
  private final EventIdHash idHash = new EventIdHash();
  private long maxTimestamp = Long.MIN_VALUE;
  private long watermark = Long.MIN_VALUE;

  // What changed since the last state write (checkpointState), for the next delta: docs/design.md#window-state-storage.
  /** Sessions counted in since (flag {@link Session#dirty}); those still open at the write are upserted. */
  private final List<Session> touched = new ArrayList<>();
  /** Stored sessions (flag {@link Session#persisted}) closed or split off since. */
  private final List<Session> removed = new ArrayList<>();
  /** Event id hashes pushed to the dedup ring since. */
  private long dedupPushed;
  /** Anything at all changed since (events counted, watermark moved, windows or sessions closed). */
  private boolean mutated;
  /** Size of the full snapshot the stored state is based on; 0 when none is stored (the next write is full). */
  private long baseBytes;
  /** Bytes of the deltas stored on top of that base, and how many (the last one's seq). */
  private long deltaBytes;
  private long deltaSeq;

  public PartitionWindows(int partition, WindowSettings settings) {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    this.partition = partition;
    this.settings = settings;
    this.tumbling = WindowDefinitions.TUMBLING.stream()
        .map(definition -> new WindowSet(definition.type(), definition.windows(settings)))
        .toArray(WindowSet[]::new);
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
    for (WindowSet set : tumbling) {
      if (set.windows.endFor(ts) <= watermark) {
        return false;
      }
    }
    if (!dedup.add(idHash.hash(e.eventId()))) {
      return true;
    }
    dedupPushed++;
    mutated = true;
    long revenueCents = enriched.revenueCents();
    for (WindowSet set : tumbling) {
      set.count(e, ts, revenueCents);
    }
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
      forget(s);
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
    // Tracked only once a base is stored: before that the next write is a full snapshot anyway, and a state that
    // is never written (the bench's reference windows) keeps no list of every session it ever had.
    if (!s.dirty && baseBytes > 0) {
      s.dirty = true;
      touched.add(s);
    }
  }

  /** A session leaves the open table: a stored one must be removed by the next delta too. */
  private void forget(Session s) {
    if (s.persisted) {
      removed.add(s);
    }
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
    for (WindowSet set : tumbling) {
      set.closeUpTo(watermark, emittedAtMs, out);
    }
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
        forget(head);
        out.add(sessionResult(head, emittedAtMs));
      } else {
        expiry.push(head);
      }
    }
    if (!out.isEmpty()) {
      mutated = true;
    }
    out.sort(RESULT_ORDER);
    return out;
  }

  /**
   * Lets the event time of a caught-up, quiet partition reach {@code eventTimeMs}: the watermark becomes
   * max(watermark, eventTimeMs − lateness). {@code Long.MAX_VALUE} closes everything (the end of a bounded input).
   */
  public void advanceEventTime(long eventTimeMs) {
    long moved = Math.max(watermark, minusLateness(eventTimeMs));
    if (moved != watermark) {
      watermark = moved;
      mutated = true;
    }
  }

  public long watermark() {
    return watermark;
  }

  /** The highest event timestamp counted, {@code Long.MIN_VALUE} before the first. */
  public long maxTimestamp() {
    return maxTimestamp;
  }

  /** Open tumbling windows of all types. */
  public int openWindows() {
    int open = 0;
    for (WindowSet set : tumbling) {
      open += set.open.size();
    }
    return open;
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
      w.dirty = true;
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

    void replace(List<OpenWindow> listed) {
      open.clear();
      lastHit = null;
      for (OpenWindow w : listed) {
        if (w.type == type) {
          open.put(w.start, w);
        }
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
   * The complete state as compact binary, in the format of {@link WindowSnapshotCodec}; {@link #restore} rebuilds
   * it in this or a later build.
   */
  public byte[] snapshot() {
    return WindowSnapshotCodec.encode(this);
  }

  /**
   * Rebuilds the state {@link #snapshot} wrote, by this or an earlier build; the restored instance behaves
   * exactly as the original would for any further calls.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot of this partition, or are of an
   *     unknown format version
   */
  public static PartitionWindows restore(int partition, WindowSettings settings, byte[] snapshot) {
    return restore(partition, settings, snapshot, List.of());
  }

  /**
   * Rebuilds the stored state: the full snapshot (null: none, the empty state) and then each delta written on
   * top of it, in seq order (docs/design.md#window-state-storage). The result continues writing deltas on the
   * same base.
   *
   * @throws IllegalArgumentException when the snapshot or any delta cannot be read or does not fit: the
   *     partition must then not be processed (a skipped delta would silently lose state)
   */
  public static PartitionWindows restore(int partition, WindowSettings settings, byte[] snapshot,
      List<byte[]> changes) {
    if (snapshot == null && !changes.isEmpty()) {
      throw new IllegalArgumentException(changes.size() + " stored window state change(s) without a base "
          + "snapshot (state_snapshot is null)");
    }
    PartitionWindows pw = snapshot == null ? new PartitionWindows(partition, settings)
        : WindowSnapshotCodec.decode(partition, settings, snapshot);
    long seq = 0;
    long bytes = 0;
    for (byte[] delta : changes) {
      WindowDeltaCodec.apply(pw, delta, ++seq);
      bytes += delta.length;
    }
    pw.markAllWritten();
    pw.baseBytes = snapshot == null ? 0 : snapshot.length;
    pw.deltaBytes = bytes;
    pw.deltaSeq = seq;
    return pw;
  }

  /**
   * How much of the stored deltas may add up to, relative to the base snapshot, before the next write is a full
   * snapshot again. 1: restore reads at most about twice the state (base plus deltas), and since a full snapshot
   * is written only after deltas as large as it, its cost is paid at most once per "state's worth" of changes:
   * checkpoint cost stays proportional to what changed (amortized at most twice the delta bytes), not to what is
   * open. A larger factor would write fewer full snapshots but make restores read (and apply) more.
   */
  static final double FULL_AFTER_DELTAS_OF = 1.0;

  /**
   * What the next checkpoint writes of this partition, and forgets what changed (the next one starts from
   * here): null when nothing changed since the last write; a full snapshot when no base is stored yet or when
   * the deltas stored on the base would exceed {@link #FULL_AFTER_DELTAS_OF} times its size; else a delta. The
   * caller must get every write stored in order, or throw this instance away (restore it from what is stored).
   */
  public StateWrite checkpointState() {
    return checkpointState(null);
  }

  /** As {@link #checkpointState()}; {@code full} true or false forces the choice (false still needs a base). */
  StateWrite checkpointState(Boolean full) {
    if (!mutated && !Boolean.TRUE.equals(full)) {
      return null;
    }
    if (baseBytes > 0 && !Boolean.TRUE.equals(full)) {
      byte[] delta = WindowDeltaCodec.encode(this, deltaSeq + 1);
      if (Boolean.FALSE.equals(full) || deltaBytes + delta.length <= FULL_AFTER_DELTAS_OF * baseBytes) {
        deltaSeq++;
        deltaBytes += delta.length;
        markWritten();
        return StateWrite.delta(deltaSeq, delta);
      }
    }
    byte[] snapshot = snapshot();
    markAllWritten();
    baseBytes = snapshot.length;
    deltaBytes = 0;
    deltaSeq = 0;
    return StateWrite.full(snapshot);
  }

  /** After a delta: what it carried is stored now. */
  private void markWritten() {
    for (Session s : touched) {
      s.dirty = false;
      if (!s.closed) {
        s.persisted = true;
      }
    }
    touched.clear();
    markRestWritten();
  }

  /** After a full snapshot (or a restore): everything open is stored. */
  private void markAllWritten() {
    for (Session s : touched) {
      s.dirty = false;
    }
    touched.clear();
    sessions.forEach(s -> {
      s.persisted = true;
      s.dirty = false;
    });
    markRestWritten();
  }

  private void markRestWritten() {
    removed.clear();
    for (WindowSet set : tumbling) {
      for (OpenWindow w : set.open.values()) {
        w.persisted = true;
        w.dirty = false;
        w.storedUsers = w.users.size();
      }
    }
    dedupPushed = 0;
    mutated = false;
  }

  List<Session> touchedSessions() {
    return touched;
  }

  List<Session> removedSessions() {
    return removed;
  }

  long dedupPushed() {
    return dedupPushed;
  }

  /** For the delta codec: the open window of this type and start, or null. */
  OpenWindow openWindow(WindowType type, long start) {
    int index = WindowDefinitions.tumblingIndex(type);
    return index < 0 ? null : tumbling[index].open.get(start);
  }

  /** For the delta codec: exactly these windows are open now. */
  void replaceWindows(List<OpenWindow> listed) {
    for (WindowSet set : tumbling) {
      set.replace(listed);
    }
  }

  /** For the delta codec: @return false when no open session has this key */
  boolean removeStoredSession(String userId, String sessionId) {
    Session s = sessions.get(userId, sessionId, Session.hash(userId, sessionId));
    if (s == null) {
      return false;
    }
    sessions.remove(s);
    s.closed = true;
    return true;
  }

  /** For the delta codec: the session of this key is now {@code s} (its counts replace the stored ones). */
  void upsertStoredSession(Session s) {
    Session open = sessions.get(s.userId, s.sessionId, s.hash);
    if (open == null) {
      sessions.put(s);
      expiry.push(s);
      return;
    }
    // The same session counted on: update it in place. Its expiry entry stays valid, since the queue re-checks
    // the real last time when the entry comes up (and last only grows).
    open.first = s.first;
    open.last = s.last;
    open.eventCount = s.eventCount;
    open.pageViews = s.pageViews;
    open.addToCarts = s.addToCarts;
    open.purchases = s.purchases;
    open.revenueCents = s.revenueCents;
    open.products = s.products;
    open.categories = s.categories;
  }

  /** For the delta codec: the split-off sessions waiting for closeReady are exactly these. */
  void replaceSplitOff(List<Session> list) {
    splitOff.clear();
    list.forEach(this::restoreSplitOff);
  }

  /** The open tumbling windows, type by type in the order of {@link WindowDefinitions#TUMBLING}. */
  List<OpenWindow> openTumbling() {
    List<OpenWindow> all = new ArrayList<>(openWindows());
    for (WindowSet set : tumbling) {
      all.addAll(set.open.values());
    }
    return all;
  }

  SessionTable sessions() {
    return sessions;
  }

  List<Session> splitOff() {
    return splitOff;
  }

  DedupRing dedup() {
    return dedup;
  }

  /** For the codec: the restored clocks, open windows and sessions of a snapshot. */
  void restoreTime(long maxTimestamp, long watermark) {
    this.maxTimestamp = maxTimestamp;
    this.watermark = watermark;
  }

  void restoreWindow(OpenWindow w) {
    int index = WindowDefinitions.tumblingIndex(w.type);
    if (index < 0) {
      throw new IllegalArgumentException("corrupt window snapshot: not a tumbling window type: " + w.type);
    }
    tumbling[index].restore(w);
  }

  /** @return false when a session of the same key is already open */
  boolean restoreOpenSession(Session s) {
    if (sessions.get(s.userId, s.sessionId, s.hash) != null) {
      return false;
    }
    sessions.put(s);
    expiry.push(s);
    return true;
  }

  void restoreSplitOff(Session s) {
    s.closed = true;
    splitOff.add(s);
  }
}
