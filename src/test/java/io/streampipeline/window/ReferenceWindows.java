package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The window rules written as plainly as possible (lists of events, recomputed at close), to check the
 * lean implementation against. Only for moderate timestamps: no overflow care.
 */
final class ReferenceWindows {
  private final int partition;
  private final WindowSettings settings;
  private long watermark = Long.MIN_VALUE;
  private final LinkedHashSet<String> recentIds = new LinkedHashSet<>();
  private final Map<WindowType, Map<Long, List<EnrichedEvent>>> windows = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private final List<Session> splitOff = new ArrayList<>();

  private static final class Session {
    String userId;
    String sessionId;
    long first;
    long last;
    final List<EnrichedEvent> events = new ArrayList<>();
  }

  ReferenceWindows(int partition, WindowSettings settings) {
    this.partition = partition;
    this.settings = settings;
    windows.put(WindowType.EVENTS_PER_MINUTE, new TreeMap<>());
    windows.put(WindowType.REVENUE_PER_5MIN, new TreeMap<>());
  }

  boolean add(EnrichedEvent ee) {
    ClickstreamEvent e = ee.event();
    long ts = e.timestamp();
    long minuteStart = Math.floorDiv(ts, settings.tumblingMs()) * settings.tumblingMs();
    long revenueStart = Math.floorDiv(ts, settings.revenueMs()) * settings.revenueMs();
    if (Math.min(minuteStart + settings.tumblingMs(), revenueStart + settings.revenueMs()) <= watermark) {
      return false;
    }
    if (recentIds.contains(e.eventId())) {
      return true;
    }
    recentIds.add(e.eventId());
    if (recentIds.size() > PartitionWindows.DEDUP_EVENTS) {
      Iterator<String> oldest = recentIds.iterator();
      oldest.next();
      oldest.remove();
    }
    windows.get(WindowType.EVENTS_PER_MINUTE).computeIfAbsent(minuteStart, k -> new ArrayList<>()).add(ee);
    windows.get(WindowType.REVENUE_PER_5MIN).computeIfAbsent(revenueStart, k -> new ArrayList<>()).add(ee);
    String key = e.userId() + "\u0000" + e.sessionId();
    Session s = sessions.get(key);
    // Expired by the gap to this event, or already by the watermark (closed whether or not closeReady ran).
    if (s != null && (ts - s.last > settings.sessionTimeoutMs()
        || (watermark != Long.MIN_VALUE && watermark - s.last > settings.sessionTimeoutMs()))) {
      splitOff.add(sessions.remove(key));
      s = null;
    }
    if (s == null) {
      s = new Session();
      s.userId = e.userId();
      s.sessionId = e.sessionId();
      s.first = ts;
      s.last = ts;
      sessions.put(key, s);
    }
    s.first = Math.min(s.first, ts);
    s.last = Math.max(s.last, ts);
    s.events.add(ee);
    watermark = Math.max(watermark, ts - settings.allowedLatenessMs());
    return true;
  }

  void advanceEventTime(long wallClock) {
    watermark = Math.max(watermark, wallClock - settings.allowedLatenessMs());
  }

  int openWindows() {
    return windows.values().stream().mapToInt(Map::size).sum();
  }

  int openSessions() {
    return sessions.size();
  }

  List<WindowResult> closeReady(long emittedAt) {
    List<WindowResult> out = new ArrayList<>();
    for (Map.Entry<WindowType, Map<Long, List<EnrichedEvent>>> byType : windows.entrySet()) {
      long size = byType.getKey() == WindowType.EVENTS_PER_MINUTE ? settings.tumblingMs() : settings.revenueMs();
      for (Iterator<Map.Entry<Long, List<EnrichedEvent>>> it = byType.getValue().entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<Long, List<EnrichedEvent>> w = it.next();
        if (w.getKey() + size <= watermark) {
          it.remove();
          out.add(result(WindowIds.tumbling(byType.getKey(), w.getKey(), partition), byType.getKey(),
              w.getKey(), w.getKey() + size, null, null, w.getValue(), emittedAt));
        }
      }
    }
    List<Session> closing = new ArrayList<>(splitOff);
    splitOff.clear();
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      if (watermark != Long.MIN_VALUE && watermark - s.last > settings.sessionTimeoutMs()) {
        it.remove();
        closing.add(s);
      }
    }
    for (Session s : closing) {
      out.add(result(WindowIds.session(s.first, partition, s.userId, s.sessionId), WindowType.SESSION_SUMMARY,
          s.first, s.last, s.userId, s.sessionId, s.events, emittedAt));
    }
    out.sort(Comparator.comparing(WindowResult::type).thenComparingLong(WindowResult::windowStart)
        .thenComparing(WindowResult::windowId));
    return out;
  }

  private WindowResult result(String id, WindowType type, long start, long end, String userId, String sessionId,
      List<EnrichedEvent> events, long emittedAt) {
    List<Map.Entry<String, Long>> products = tally(events.stream().map(e -> e.event().productId()).toList());
    List<Map.Entry<String, Long>> categories = tally(events.stream().map(e -> e.event().productCategory())
        .toList());
    return new WindowResult(id, type, start, end, partition, userId, sessionId, events.size(),
        events.stream().map(e -> e.event().userId()).distinct().count(),
        events.stream().filter(e -> e.event().eventType() == EventType.PAGE_VIEW).count(),
        events.stream().filter(e -> e.event().eventType() == EventType.ADD_TO_CART).count(),
        events.stream().filter(e -> e.event().eventType() == EventType.PURCHASE).count(),
        events.stream().mapToLong(EnrichedEvent::revenueCents).sum(),
        products.stream().limit(10).map(Map.Entry::getKey).toList(),
        categories.stream().limit(5).map(Map.Entry::getKey).toList(),
        products.stream().map(Map.Entry::getKey).toArray(String[]::new),
        products.stream().mapToLong(Map.Entry::getValue).toArray(),
        categories.stream().map(Map.Entry::getKey).toArray(String[]::new),
        categories.stream().mapToLong(Map.Entry::getValue).toArray(),
        emittedAt);
  }

  private static List<Map.Entry<String, Long>> tally(List<String> ids) {
    Map<String, Long> counts = ids.stream().filter(id -> id != null)
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .toList();
  }
}
