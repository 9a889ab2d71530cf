package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.window.state.WindowChanges;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The open windows of one tumbling type of one partition, by start; the last one hit is cached as events mostly
 * share it.
 */
final class WindowSet {
  final WindowType type;
  final TumblingWindows windows;
  private final Map<Long, OpenWindow> open = new HashMap<>();
  private OpenWindow lastHit;

  WindowSet(WindowType type, TumblingWindows windows) {
    this.type = type;
    this.windows = windows;
  }

  int size() {
    return open.size();
  }

  OpenWindow get(long start) {
    return open.get(start);
  }

  void addAllTo(List<OpenWindow> all) {
    all.addAll(open.values());
  }

  void count(ClickstreamEvent e, long ts, long revenueCents, WindowChanges changes) {
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
    changes.windowCounted(w);
    w.users.add(e.userId());
  }

  void closeUpTo(long watermark, long emittedAtMs, int partition, List<WindowResult> out) {
    for (Iterator<OpenWindow> it = open.values().iterator(); it.hasNext(); ) {
      OpenWindow w = it.next();
      if (w.end <= watermark) {
        it.remove();
        out.add(WindowResults.of(WindowIds.tumbling(type, w.start, partition), type, w.start, w.end, partition,
            null, null, w.users.size(), w, emittedAtMs));
      }
    }
    if (lastHit != null && lastHit.end <= watermark) {
      lastHit = null;
    }
  }

  /** Adds a restored window (the snapshot codec has checked that no two share a start). */
  void put(OpenWindow w) {
    open.put(w.start, w);
  }

  /** Exactly these windows (those of this type among them) are open now. */
  void replace(List<OpenWindow> listed) {
    open.clear();
    lastHit = null;
    for (OpenWindow w : listed) {
      if (w.type == type) {
        open.put(w.start, w);
      }
    }
  }
}
