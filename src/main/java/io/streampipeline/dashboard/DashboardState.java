package io.streampipeline.dashboard;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.dashboard.GlobalWindow.Ranked;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The closed tumbling windows of the last hour, merged from the per-partition partials read on
 * clickstream.aggregated into global figures per (window_type, window_start).
 *
 * <p>A partial is identified by its window_id (deterministic per type, start and partition), so a partial
 * that arrives again (the topic is at least once; replays overwrite) replaces itself instead of adding up.
 * Window types are never added together: event figures come from events_per_minute windows only, revenue
 * of the revenue chart from revenue_per_5min windows. Session summaries are not kept.
 *
 * <p>"The last hour" is measured back from the newest window end seen (not the wall clock, so a replay of
 * older traffic still shows), ignoring windows that start more than {@link #FUTURE_TOLERANCE_MS} after
 * now: one event with a wrong clock must not push every real window out. Not thread-safe.
 */
public final class DashboardState {
  public static final long HORIZON_MS = 3_600_000;
  static final long FUTURE_TOLERANCE_MS = 300_000;
  /** Bounds what one push carries when windows are very short (1 s windows keep the last 12 minutes). */
  public static final int MAX_SERIES_POINTS = 720;
  static final int TOP_PRODUCTS = 10;
  static final int TOP_CATEGORIES = 5;

  /** Per type: window start → (window_id → partial). */
  private final Map<WindowType, TreeMap<Long, Map<String, WindowResult>>> partials = new EnumMap<>(WindowType.class);
  private final Map<WindowType, TreeMap<Long, GlobalWindow>> merged = new EnumMap<>(WindowType.class);
  private long reference = Long.MIN_VALUE;
  private long ignored;

  /**
   * Sums over the events_per_minute windows of the last hour, revenue included, so every figure covers the
   * same windows as the table of recent windows: [from, to), {@code windows} of them (from and to are 0 when
   * there is none).
   */
  public record HourTotals(long events, long pageViews, long addToCarts, long purchases, long revenueCents,
      long uniqueUsersLatestWindow, long from, long to, int windows) {
  }

  public DashboardState() {
    for (WindowType type : List.of(WindowType.EVENTS_PER_MINUTE, WindowType.REVENUE_PER_5MIN)) {
      partials.put(type, new TreeMap<>());
      merged.put(type, new TreeMap<>());
    }
  }

  /**
   * Takes one partial.
   *
   * @return false when it is not kept: a session summary, older than the horizon, or from the far future
   */
  public boolean add(WindowResult partial, long nowMs) {
    TreeMap<Long, Map<String, WindowResult>> byStart = partials.get(partial.type());
    if (byStart == null) {
      return false;
    }
    if (partial.windowStart() > nowMs + FUTURE_TOLERANCE_MS) {
      ignored++;
      return false;
    }
    reference = Math.max(reference, partial.windowEnd());
    if (partial.windowEnd() <= reference - HORIZON_MS) {
      return false;
    }
    Map<String, WindowResult> window = byStart.computeIfAbsent(partial.windowStart(), s -> new LinkedHashMap<>());
    window.put(partial.windowId(), partial);
    merged.get(partial.type()).put(partial.windowStart(), merge(partial.type(), window.values()));
    prune();
    return true;
  }

  private void prune() {
    long cutoff = reference - HORIZON_MS;
    for (WindowType type : partials.keySet()) {
      TreeMap<Long, GlobalWindow> windows = merged.get(type);
      while (!windows.isEmpty() && windows.firstEntry().getValue().windowEnd() <= cutoff) {
        long start = windows.firstKey();
        windows.remove(start);
        partials.get(type).remove(start);
      }
    }
  }

  /** The kept windows of a type, oldest first, at most {@link #MAX_SERIES_POINTS} (the newest). */
  public List<GlobalWindow> series(WindowType type) {
    Collection<GlobalWindow> all = windowsOf(type);
    List<GlobalWindow> list = new ArrayList<>(all);
    return list.size() <= MAX_SERIES_POINTS ? list : list.subList(list.size() - MAX_SERIES_POINTS, list.size());
  }

  /** The newest window of a type, or null before the first one arrived. */
  public GlobalWindow latest(WindowType type) {
    TreeMap<Long, GlobalWindow> windows = merged.get(type);
    return windows == null || windows.isEmpty() ? null : windows.lastEntry().getValue();
  }

  public HourTotals lastHour() {
    long events = 0;
    long views = 0;
    long carts = 0;
    long purchases = 0;
    long revenue = 0;
    Collection<GlobalWindow> windows = windowsOf(WindowType.EVENTS_PER_MINUTE);
    for (GlobalWindow w : windows) {
      events += w.eventCount();
      views += w.pageViews();
      carts += w.addToCarts();
      purchases += w.purchases();
      revenue += w.totalRevenueCents();
    }
    GlobalWindow latest = latest(WindowType.EVENTS_PER_MINUTE);
    TreeMap<Long, GlobalWindow> byStart = merged.get(WindowType.EVENTS_PER_MINUTE);
    long from = byStart.isEmpty() ? 0 : byStart.firstEntry().getValue().windowStart();
    long to = latest == null ? 0 : latest.windowEnd();
    return new HourTotals(events, views, carts, purchases, revenue, latest == null ? 0 : latest.uniqueUsers(), from,
        to, windows.size());
  }

  /** Partials not kept because they started too far in the future. */
  public long ignored() {
    return ignored;
  }

  private Collection<GlobalWindow> windowsOf(WindowType type) {
    TreeMap<Long, GlobalWindow> windows = merged.get(type);
    return windows == null ? List.of() : windows.values();
  }

  static GlobalWindow merge(WindowType type, Collection<WindowResult> parts) {
    long start = 0;
    long end = 0;
    long events = 0;
    long users = 0;
    long views = 0;
    long carts = 0;
    long purchases = 0;
    long revenue = 0;
    Map<String, Long> products = new HashMap<>();
    Map<String, Long> categories = new HashMap<>();
    for (WindowResult p : parts) {
      start = p.windowStart();
      end = p.windowEnd();
      events += p.eventCount();
      users += p.uniqueUsers();
      views += p.pageViews();
      carts += p.addToCarts();
      purchases += p.purchases();
      revenue += p.totalRevenueCents();
      tally(products, p.topProducts(), p.productIds(), p.productCounts());
      tally(categories, p.topCategories(), p.categoryNames(), p.categoryCounts());
    }
    return new GlobalWindow(type, start, end, events, users, views, carts, purchases, revenue, parts.size(),
        ranked(products, TOP_PRODUCTS), ranked(categories, TOP_CATEGORIES));
  }

  private static void tally(Map<String, Long> into, List<String> top, String[] ids, long[] counts) {
    if (ids.length > 0 && ids.length == counts.length) {
      for (int i = 0; i < ids.length; i++) {
        into.merge(ids[i], counts[i], Long::sum);
      }
    } else {
      top.forEach(id -> into.putIfAbsent(id, 0L));
    }
  }

  /** Count descending, then id: the order of top lists (docs/design.md#windows-and-sessions). */
  static List<Ranked> ranked(Map<String, Long> counts, int n) {
    return counts.entrySet().stream()
        .map(e -> new Ranked(e.getKey(), e.getValue()))
        .sorted(Comparator.comparingLong(Ranked::count).reversed().thenComparing(Ranked::id))
        .limit(n)
        .toList();
  }
}
