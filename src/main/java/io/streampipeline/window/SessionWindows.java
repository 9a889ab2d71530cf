package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.window.state.WindowChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sessions of one partition (docs/design.md#windows-and-sessions): the open ones by (user_id, session_id), the
 * order they expire in, and those split off by an event and waiting for the next close. Single-threaded, like
 * {@link PartitionWindows}, which owns it.
 */
final class SessionWindows {
  private final int partition;
  private final long timeoutMs;
  private final WindowChanges changes;
  private final SessionTable open = new SessionTable();
  private final ExpiryQueue expiry = new ExpiryQueue();
  /** Sessions closed by a split in count(), emitted by the next closeUpTo. */
  private final List<Session> splitOff = new ArrayList<>();

  SessionWindows(int partition, long timeoutMs, WindowChanges changes) {
    this.partition = partition;
    this.timeoutMs = timeoutMs;
    this.changes = changes;
  }

  void count(ClickstreamEvent e, long ts, long revenueCents, long watermark) {
    String userId = e.userId();
    String sessionId = e.sessionId();
    int hash = Session.hash(userId, sessionId);
    Session s = open.get(userId, sessionId, hash);
    // A session the watermark has passed is closed whether or not closeReady has run yet: which session an
    // event joins depends on the records alone, never on when the timer fired.
    if (s != null && (exceeds(ts, s.last, timeoutMs) || exceeds(watermark, s.last, timeoutMs))) {
      open.remove(s);
      splitOff.add(s);
      changes.sessionClosed(s);
      s = null;
    }
    boolean created = s == null;
    if (created) {
      s = new Session(userId, sessionId, hash, ts);
      open.put(s);
      expiry.push(s);
    } else if (ts > s.last) {
      s.last = ts;
    } else if (ts < s.first) {
      s.first = ts;
    }
    s.count(e, revenueCents);
    changes.sessionCounted(s, created);
  }

  /** Closes the sessions split off and every session with {@code watermark - last > timeout}, and forgets them. */
  void closeUpTo(long watermark, long emittedAtMs, List<WindowResult> out) {
    for (Session s : splitOff) {
      out.add(WindowResults.session(s, partition, emittedAtMs));
    }
    splitOff.clear();
    Session head;
    while ((head = expiry.peek()) != null && exceeds(watermark, head.queuedLast, timeoutMs)) {
      expiry.poll();
      if (!open.holds(head)) {
        continue; // split off or removed since it was queued
      }
      if (exceeds(watermark, head.last, timeoutMs)) {
        open.remove(head);
        changes.sessionClosed(head);
        out.add(WindowResults.session(head, partition, emittedAtMs));
      } else {
        expiry.push(head);
      }
    }
  }

  int openCount() {
    return open.size();
  }

  void forEachOpen(Consumer<Session> action) {
    open.forEach(action);
  }

  List<Session> splitOff() {
    return splitOff;
  }

  /** A stored session opens (restore): one of the same key must not be open. */
  void restoreOpen(Session s) {
    open.put(s);
    expiry.push(s);
  }

  /** Restore: the stored session of this key is now {@code s}, its counts replacing those stored before. */
  void upsertStored(Session s) {
    Session stored = open.get(s.userId, s.sessionId, s.hash);
    if (stored == null) {
      restoreOpen(s);
      return;
    }
    // The same session counted on: updated in place, through the description the codecs follow. Its expiry entry
    // stays valid, since the queue re-checks the real last time when the entry comes up (and last only grows).
    WindowFields.SESSION.copy(s, stored);
  }

  /** Restore: the stored session of this key has closed. @return false when none is open */
  boolean removeStored(String userId, String sessionId) {
    Session s = open.get(userId, sessionId, Session.hash(userId, sessionId));
    if (s == null) {
      return false;
    }
    open.remove(s);
    return true;
  }

  /** Restore: the sessions split off and not yet emitted are exactly these. */
  void restoreSplitOff(List<Session> list) {
    splitOff.clear();
    splitOff.addAll(list);
  }

  /** {@code later - earlier > limit} without overflow, for any longs and a limit >= 0. */
  private static boolean exceeds(long later, long earlier, long limit) {
    return later > earlier && Long.compareUnsigned(later - earlier, limit) > 0;
  }
}
