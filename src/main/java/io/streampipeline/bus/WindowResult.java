package io.streampipeline.bus;

import java.util.List;

/**
 * One closed window of one partition (or one closed session): a row of aggregated_metrics and an
 * AggregatedMetrics record. {@code productIds}/{@code productCounts} (and the category pair) are the full
 * tallies, ordered by count descending then id, so partials of several partitions merge exactly; the top
 * lists are their first 10 and 5 entries. userId and sessionId are set for sessions only.
 */
public record WindowResult(
    String windowId,
    WindowType type,
    long windowStart,
    long windowEnd,
    int partition,
    String userId,
    String sessionId,
    long eventCount,
    long uniqueUsers,
    long pageViews,
    long addToCarts,
    long purchases,
    long totalRevenueCents,
    List<String> topProducts,
    List<String> topCategories,
    String[] productIds,
    long[] productCounts,
    String[] categoryNames,
    long[] categoryCounts,
    long emittedAt) {
}
