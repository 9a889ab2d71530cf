package io.streampipeline.dashboard;

import io.streampipeline.bus.WindowType;
import java.util.List;

/**
 * The global figures of one tumbling window: the partials of every partition that has reported so far,
 * summed (unique users add up because the events topic is keyed by user_id), the same as a row of the
 * aggregated_metrics_global view once every partition has reported. Top lists are merged from each
 * partial's top list with counts, so they are exact for items that are in every partial's top list.
 *
 * @param partitions how many partition partials were summed
 */
public record GlobalWindow(
    WindowType type,
    long windowStart,
    long windowEnd,
    long eventCount,
    long uniqueUsers,
    long pageViews,
    long addToCarts,
    long purchases,
    long totalRevenueCents,
    int partitions,
    List<Ranked> topProducts,
    List<Ranked> topCategories) {

  /** An item of a top list with its count (0 when the writer sent no counts, AggregatedMetrics v1). */
  public record Ranked(String id, long count) {
  }

  /** Events that are neither page views, add-to-carts nor purchases (searches, wishlists, removals). */
  public long otherEvents() {
    return Math.max(0, eventCount - pageViews - addToCarts - purchases);
  }
}
