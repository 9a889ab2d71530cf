package io.streampipeline.flinkbench;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.window.WindowIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One row of aggregated_metrics, as the pipeline writes it: window_id from the pipeline's WindowIds, the full
 * product and category tallies ordered by count descending then id, and the top lists as their first 10 and 5
 * entries. Also carries the window's clickstream.aggregated message (the pipeline's AggregatedCodec), which the
 * sink queues in aggregated_outbox with the row, as the pipeline's checkpoint does.
 */
public class WindowRow {
  public String windowId;
  public String windowType;
  public long windowStart;
  public long windowEnd;
  public int partition;
  public String userId;
  public String sessionId;
  public long eventCount;
  public long uniqueUsers;
  public long pageViews;
  public long addToCarts;
  public long purchases;
  public long totalRevenueCents;
  public String[] topProducts;
  public String[] topCategories;
  public String[] productIds;
  public Long[] productCounts;
  public String[] categoryNames;
  public Long[] categoryCounts;
  public long emittedAt;
  public byte[] message;

  public WindowRow() {
  }

  static WindowRow tumbling(WindowType type, long start, long end, int partition, WindowAcc acc, long now) {
    return of(type, WindowIds.tumbling(type, start, partition), start, end, partition, null, null, acc, now);
  }

  /** A session's row spans its first to its last event, as the pipeline's does. */
  static WindowRow session(int partition, String userId, String sessionId, WindowAcc acc, long now) {
    return of(WindowType.SESSION_SUMMARY, WindowIds.session(acc.firstMs, partition, userId, sessionId),
        acc.firstMs, acc.lastMs, partition, userId, sessionId, acc, now);
  }

  private static WindowRow of(WindowType type, String id, long start, long end, int partition, String userId,
      String sessionId, WindowAcc acc, long now) {
    WindowRow row = new WindowRow();
    row.windowId = id;
    row.windowType = type.wireName();
    row.windowStart = start;
    row.windowEnd = end;
    row.partition = partition;
    row.userId = userId;
    row.sessionId = sessionId;
    row.eventCount = acc.eventCount;
    row.uniqueUsers = acc.users.size();
    row.pageViews = acc.pageViews;
    row.addToCarts = acc.addToCarts;
    row.purchases = acc.purchases;
    row.totalRevenueCents = acc.revenueCents;
    List<Map.Entry<String, Long>> products = ranked(acc.products);
    List<Map.Entry<String, Long>> categories = ranked(acc.categories);
    row.productIds = keys(products);
    row.productCounts = counts(products);
    row.categoryNames = keys(categories);
    row.categoryCounts = counts(categories);
    row.topProducts = Arrays.copyOf(row.productIds, Math.min(10, row.productIds.length));
    row.topCategories = Arrays.copyOf(row.categoryNames, Math.min(5, row.categoryNames.length));
    row.emittedAt = now;
    return row;
  }

  /** The pipeline's WindowResult of this row, for its message encoder. */
  WindowResult toResult() {
    return new WindowResult(windowId, WindowType.fromWireName(windowType), windowStart, windowEnd, partition,
        userId, sessionId, eventCount, uniqueUsers, pageViews, addToCarts, purchases, totalRevenueCents,
        List.of(topProducts), List.of(topCategories), productIds, unboxed(productCounts), categoryNames,
        unboxed(categoryCounts), emittedAt);
  }

  /** Count descending, then id ascending (String order), as the pipeline's top lists. */
  static List<Map.Entry<String, Long>> ranked(Map<String, Long> tally) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(tally.entrySet());
    entries.sort((a, b) -> {
      int byCount = Long.compare(b.getValue(), a.getValue());
      return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
    });
    return entries;
  }

  private static String[] keys(List<Map.Entry<String, Long>> entries) {
    String[] keys = new String[entries.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = entries.get(i).getKey();
    }
    return keys;
  }

  private static Long[] counts(List<Map.Entry<String, Long>> entries) {
    Long[] counts = new Long[entries.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = entries.get(i).getValue();
    }
    return counts;
  }

  private static long[] unboxed(Long[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
