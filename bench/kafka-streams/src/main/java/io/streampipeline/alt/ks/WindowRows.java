package io.streampipeline.alt.ks;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.window.WindowIds;
import java.util.List;
import java.util.Map;

/**
 * Turns a closed Kafka Streams window into the pipeline's window row ({@link WindowResult}), with the pipeline's
 * window ids, so that {@code AggregatedCodec} encodes it exactly as the pipeline's AggregatedMetrics v2.
 */
final class WindowRows {
  static final int TOP_PRODUCTS = 10;
  static final int TOP_CATEGORIES = 5;

  private WindowRows() {
  }

  /** A tumbling window [start, end) of one source partition. */
  static WindowResult tumbling(WindowType type, int partition, long start, long end, WindowAggregate a,
      long emittedAt) {
    return row(WindowIds.tumbling(type, start, partition), type, start, end, partition, null, null,
        a.uniqueUsers(), a, emittedAt);
  }

  /** A session: its window spans its first to its last event, as in the pipeline (Kafka Streams' session too). */
  static WindowResult session(SessionKey key, long first, long last, WindowAggregate a, long emittedAt) {
    return row(WindowIds.session(first, key.partition(), key.userId(), key.sessionId()), WindowType.SESSION_SUMMARY,
        first, last, key.partition(), key.userId(), key.sessionId(), 1, a, emittedAt);
  }

  private static WindowResult row(String id, WindowType type, long start, long end, int partition, String userId,
      String sessionId, long uniqueUsers, WindowAggregate a, long emittedAt) {
    List<Map.Entry<String, Long>> products = a.products.ranked();
    List<Map.Entry<String, Long>> categories = a.categories.ranked();
    return new WindowResult(id, type, start, end, partition, userId, sessionId, a.eventCount, uniqueUsers,
        a.pageViews, a.addToCarts, a.purchases, a.revenueCents,
        top(products, TOP_PRODUCTS), top(categories, TOP_CATEGORIES),
        keys(products), counts(products), keys(categories), counts(categories), emittedAt);
  }

  private static List<String> top(List<Map.Entry<String, Long>> ranked, int n) {
    return ranked.subList(0, Math.min(n, ranked.size())).stream().map(Map.Entry::getKey).toList();
  }

  private static String[] keys(List<Map.Entry<String, Long>> ranked) {
    return ranked.stream().map(Map.Entry::getKey).toArray(String[]::new);
  }

  private static long[] counts(List<Map.Entry<String, Long>> ranked) {
    return ranked.stream().mapToLong(Map.Entry::getValue).toArray();
  }
}
