package io.streampipeline.window;

import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.window.state.StateWriter;
import io.streampipeline.window.state.WindowChanges;
import io.streampipeline.window.state.WindowDeltaCodec;
import io.streampipeline.window.state.WindowSnapshotCodec;
import io.streampipeline.window.state.WindowStateView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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
 * {@link #checkpointState} writes it incrementally (a full snapshot now and then, deltas in between). The formats
 * are in {@code window.state}; what changed since the last write is recorded there too ({@link WindowChanges}), and
 * what is stored of each window and session is described once, in {@link WindowFields}.
 */
public final class PartitionWindows {
  /** How many event ids are remembered to count a repeat once: those of the last events counted in windows. */
  public static final int DEDUP_EVENTS = DedupRing.CAPACITY;
  public static final int TOP_PRODUCTS = 10;
  public static final int TOP_CATEGORIES = 5;

  private final int partition;
  private final WindowSettings settings;
  /** One per entry of {@link WindowDefinitions#TUMBLING}, in its order. */
  private final WindowSet[] tumbling;
  private final SessionWindows sessions;
  private final DedupRing dedup = new DedupRing(DedupRing.CAPACITY);
  private final EventIdHash idHash = new EventIdHash();
  private long maxTimestamp = Long.MIN_VALUE;
  private long watermark = Long.MIN_VALUE;

  /** What changed since the last state write, for the next delta: docs/design.md#window-state-storage. */
  private final WindowChanges changes = new WindowChanges();
  private final StateWriter writer = new StateWriter(changes);
  private final WindowStateView view = new View();

  public PartitionWindows(int partition, WindowSettings settings) {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    this.partition = partition;
    this.settings = settings;
    this.sessions = new SessionWindows(partition, settings.sessionTimeoutMs(), changes);
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
    changes.eventCounted();
    long revenueCents = enriched.revenueCents();
    for (WindowSet set : tumbling) {
      set.count(e, ts, revenueCents, changes);
    }
    sessions.count(e, ts, revenueCents, watermark);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      watermark = Math.max(watermark, minusLateness(ts));
    }
    return true;
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
      set.closeUpTo(watermark, emittedAtMs, partition, out);
    }
    sessions.closeUpTo(watermark, emittedAtMs, out);
    if (!out.isEmpty()) {
      changes.changed();
    }
    out.sort(WindowResults.ORDER);
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
      changes.changed();
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
      open += set.size();
    }
    return open;
  }

  /** Open sessions, not counting those split off and waiting for {@link #closeReady}. */
  public int openSessions() {
    return sessions.openCount();
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

  /**
   * The complete state as compact binary, in the format of {@link WindowSnapshotCodec}; {@link #restore} rebuilds
   * it in this or a later build.
   */
  public byte[] snapshot() {
    return WindowSnapshotCodec.encode(view);
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
    PartitionWindows pw = new PartitionWindows(partition, settings);
    if (snapshot != null) {
      pw.load(WindowSnapshotCodec.decode(partition, snapshot));
    }
    long seq = 0;
    long bytes = 0;
    for (byte[] delta : changes) {
      pw.apply(WindowDeltaCodec.decode(partition, delta, ++seq));
      bytes += delta.length;
    }
    pw.writer.restored(pw.view, snapshot == null ? 0 : snapshot.length, bytes, seq);
    return pw;
  }

  /** See {@link StateWriter#FULL_AFTER_DELTAS_OF}. */
  static final double FULL_AFTER_DELTAS_OF = StateWriter.FULL_AFTER_DELTAS_OF;

  /**
   * What the next checkpoint writes of this partition, and forgets what changed (the next one starts from
   * here): null when nothing changed since the last write; a full snapshot when no base is stored yet or when
   * the deltas stored on the base already exceed {@link #FULL_AFTER_DELTAS_OF} times its size; else a delta. The
   * caller must get every write stored in order, or throw this instance away (restore it from what is stored).
   */
  public StateWrite checkpointState() {
    return checkpointState(null);
  }

  /** As {@link #checkpointState()}; {@code full} true or false forces the choice (false still needs a base). */
  StateWrite checkpointState(Boolean full) {
    return writer.next(view, full);
  }

  /** Takes on a decoded snapshot; this instance is new. */
  private void load(WindowSnapshotCodec.Stored stored) {
    maxTimestamp = stored.maxTimestamp();
    watermark = stored.watermark();
    for (OpenWindow w : stored.windows()) {
      tumbling[WindowDefinitions.tumblingIndex(w.type)].put(w);
    }
    stored.openSessions().forEach(sessions::restoreOpen);
    sessions.restoreSplitOff(stored.splitOff());
    // A ring written with another capacity keeps its newest ids; the duplicate rule is "the last N ids".
    long[] ids = stored.dedupIds();
    for (int i = Math.max(0, ids.length - dedup.capacity()); i < ids.length; i++) {
      dedup.add(ids[i]);
    }
  }

  /**
   * Applies one decoded delta: time, windows, removals, upserts, split-off list, dedup hashes. A window or session
   * counted on since is updated in place, through the same field description the codecs follow.
   *
   * @throws IllegalArgumentException when the delta refers to a window or session the state does not hold, or
   *     pushes an id hash it already holds: the state is then unusable
   */
  private void apply(WindowDeltaCodec.Delta delta) {
    long seq = delta.seq();
    maxTimestamp = delta.maxTimestamp();
    watermark = delta.watermark();
    List<OpenWindow> listed = new ArrayList<>();
    for (WindowDeltaCodec.Listed entry : delta.windows()) {
      OpenWindow w = entry.window();
      if (entry.kind() != WindowDeltaCodec.NEW) {
        OpenWindow stored = tumbling[WindowDefinitions.tumblingIndex(w.type)].get(w.start);
        if (stored == null || stored.end != w.end) {
          throw new IllegalArgumentException("window state delta " + seq + " refers to window "
              + w.type.wireName() + " at " + w.start + ", which is not in the stored state");
        }
        if (entry.kind() == WindowDeltaCodec.GROWN) {
          WindowFields.TUMBLING.copy(w, stored);
          for (int u = 0; u < w.users.size(); u++) {
            stored.users.add(w.users.get(u));
          }
        }
        w = stored;
      }
      listed.add(w);
    }
    for (WindowSet set : tumbling) {
      set.replace(listed);
    }
    for (WindowDeltaCodec.SessionKey key : delta.removed()) {
      if (!sessions.removeStored(key.userId(), key.sessionId())) {
        throw new IllegalArgumentException("window state delta " + seq + " removes session " + key.userId()
            + "/" + key.sessionId() + ", which is not in the stored state");
      }
    }
    delta.upserts().forEach(sessions::upsertStored);
    sessions.restoreSplitOff(delta.splitOff());
    if (delta.wholeRing()) {
      dedup.clear();
    }
    for (long id : delta.dedupIds()) {
      if (!dedup.add(id)) {
        throw new IllegalArgumentException("window state delta " + seq + " pushes an event id hash the stored "
            + "state already holds");
      }
    }
  }

  /** For tests: the dedup ring. */
  DedupRing dedup() {
    return dedup;
  }

  /** For tests: the state as the codecs read it. */
  WindowStateView stateView() {
    return view;
  }

  /** What the codecs read of this state. */
  private final class View implements WindowStateView {
    @Override
    public int partition() {
      return partition;
    }

    @Override
    public long maxTimestamp() {
      return maxTimestamp;
    }

    @Override
    public long watermark() {
      return watermark;
    }

    @Override
    public List<OpenWindow> openWindows() {
      List<OpenWindow> all = new ArrayList<>(PartitionWindows.this.openWindows());
      for (WindowSet set : tumbling) {
        set.addAllTo(all);
      }
      return all;
    }

    @Override
    public int openSessions() {
      return sessions.openCount();
    }

    @Override
    public void forEachOpenSession(Consumer<Session> action) {
      sessions.forEachOpen(action);
    }

    @Override
    public List<Session> splitOff() {
      return sessions.splitOff();
    }

    @Override
    public DedupRing dedup() {
      return dedup;
    }
  }
}
