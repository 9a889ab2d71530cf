package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The output of a closed window or session: its counts with the top products and categories. */
final class WindowResults {
  /** The order {@link PartitionWindows#closeReady} returns results in. */
  static final Comparator<WindowResult> ORDER = Comparator
      .comparing(WindowResult::type)
      .thenComparingLong(WindowResult::windowStart)
      .thenComparing(WindowResult::windowId);

  private WindowResults() {
  }

  static WindowResult session(Session s, int partition, long emittedAtMs) {
    return of(WindowIds.session(s.first, partition, s.userId, s.sessionId), WindowType.SESSION_SUMMARY, s.first,
        s.last, partition, s.userId, s.sessionId, 1, s, emittedAtMs);
  }

  static WindowResult of(String id, WindowType type, long start, long end, int partition, String userId,
      String sessionId, long uniqueUsers, Aggregate a, long emittedAtMs) {
    CountMap.Sorted products = a.products == null ? CountMap.EMPTY : a.products.sorted();
    CountMap.Sorted categories = a.categories == null ? CountMap.EMPTY : a.categories.sorted();
    return new WindowResult(id, type, start, end, partition, userId, sessionId, a.eventCount, uniqueUsers,
        a.pageViews, a.addToCarts, a.purchases, a.revenueCents,
        top(products, PartitionWindows.TOP_PRODUCTS), top(categories, PartitionWindows.TOP_CATEGORIES),
        products.keys(), products.counts(), categories.keys(), categories.counts(), emittedAtMs);
  }

  private static List<String> top(CountMap.Sorted tally, int n) {
    return List.of(Arrays.copyOf(tally.keys(), Math.min(n, tally.keys().length)));
  }
}
