package io.streampipeline.window.state;

import io.streampipeline.window.OpenWindow;
import io.streampipeline.window.Session;
import io.streampipeline.bus.WindowType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed in one partition's window state since the last state write (docs/design.md#window-state-storage),
 * recorded beside the state as a change-logging store records what its inner store changed: the next delta is
 * written from it, and the windows and sessions themselves stay plain aggregates.
 *
 * <p>Sessions are recorded only while a base snapshot is stored: before that the next write is a full snapshot
 * anyway, and a state that is never written (the bench's reference windows) keeps no record of every session it
 * ever had. A session open at the last write is part of the stored state; one created since is not yet.
 */
public final class WindowChanges {
  private boolean baseStored;
  /**
   * Numbers the stretches between state writes. A session counted in during this one is marked with it on the
   * session itself, negated when it was created in it (not stored yet), so that noting an event's session is a
   * field compare rather than a map lookup, and with many users nearly every event is a different session.
   */
  private long writeNumber = 1;
  /** Sessions counted in since the last write, in the order first counted; those closed since are skipped. */
  private final List<Session> touched = new ArrayList<>();
  /** Stored sessions closed or split off since. */
  private final List<Session> removed = new ArrayList<>();
  /** The open windows at the last write, with how many of their users the stored state holds. */
  private final Map<OpenWindow, Integer> storedUsers = new IdentityHashMap<>();
  /** Windows counted in since. */
  private final Set<OpenWindow> counted = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Per window type the window last recorded in {@link #counted}: events mostly hit the same one. */
  private final OpenWindow[] lastCounted = new OpenWindow[WindowType.values().length];
  private long dedupPushed;
  private boolean mutated;

  /** An event was counted: its id hash pushed to the dedup ring, its windows and session counted. */
  public void eventCounted() {
    dedupPushed++;
    mutated = true;
  }

  /** Something else changed: the watermark moved, windows or sessions closed. */
  public void changed() {
    mutated = true;
  }

  public void windowCounted(OpenWindow w) {
    int type = w.type().ordinal();
    if (lastCounted[type] != w) {
      lastCounted[type] = w;
      counted.add(w);
    }
  }

  /** @param created the session was opened by this event */
  public void sessionCounted(Session s, boolean created) {
    if (!baseStored) {
      return;
    }
    if (Math.abs(s.changeMark()) != writeNumber) {
      s.changeMark(created ? -writeNumber : writeNumber);
      touched.add(s);
    }
  }

  /** The session left the open sessions (closed or split off): a stored one is removed by the next delta. */
  public void sessionClosed(Session s) {
    if (!baseStored) {
      return;
    }
    long mark = s.changeMark();
    if (Math.abs(mark) == writeNumber) {
      s.changeMark(0);
    }
    if (mark != -writeNumber) {
      removed.add(s);
    }
  }

  /** Anything at all changed since the last write. */
  public boolean mutated() {
    return mutated;
  }

  /** Whether a base snapshot is stored, so that the next write may be a delta. */
  public boolean baseStored() {
    return baseStored;
  }

  /** How many event id hashes were pushed to the dedup ring since. */
  public long dedupPushed() {
    return dedupPushed;
  }

  /** Sessions counted in since and still open, in the order they were first counted. */
  public List<Session> upserts() {
    List<Session> open = new ArrayList<>(touched.size());
    for (Session s : touched) {
      if (Math.abs(s.changeMark()) == writeNumber) {
        open.add(s);
      }
    }
    return open;
  }

  public List<Session> removed() {
    return removed;
  }

  /** Whether the window is part of the stored state (open at the last write). */
  public boolean stored(OpenWindow w) {
    return storedUsers.containsKey(w);
  }

  /** How many of the window's users the stored state holds; those numbered from here on are new. */
  public int storedUsers(OpenWindow w) {
    Integer n = storedUsers.get(w);
    return n == null ? 0 : n;
  }

  public boolean counted(OpenWindow w) {
    return counted.contains(w);
  }

  /**
   * A state write (or a restore) stored everything open now: these windows are the stored ones, and the record
   * starts over.
   *
   * @param baseStored whether a base snapshot is stored now (false only after restoring nothing)
   */
  public void written(List<OpenWindow> open, boolean baseStored) {
    this.baseStored = baseStored;
    writeNumber++;
    touched.clear();
    removed.clear();
    storedUsers.clear();
    for (OpenWindow w : open) {
      storedUsers.put(w, w.users().size());
    }
    counted.clear();
    Arrays.fill(lastCounted, null);
    dedupPushed = 0;
    mutated = false;
  }
}
