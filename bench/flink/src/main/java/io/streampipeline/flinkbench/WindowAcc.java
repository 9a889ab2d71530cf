package io.streampipeline.flinkbench;

import java.util.HashMap;
import java.util.HashSet;

/**
 * The running figures of one window (or session): what a row of aggregated_metrics is made of. Kept in Flink's
 * window state (the heap state backend: live objects, serialized only at checkpoints).
 */
public class WindowAcc {
  public long eventCount;
  public long pageViews;
  public long addToCarts;
  public long purchases;
  public long revenueCents;
  /** Event-time bounds of what was counted: a session row spans its first to its last event. */
  public long firstMs = Long.MAX_VALUE;
  public long lastMs = Long.MIN_VALUE;
  public HashSet<String> users = new HashSet<>();
  public HashMap<String, Long> products = new HashMap<>();
  public HashMap<String, Long> categories = new HashMap<>();

  public WindowAcc() {
  }

  void add(WindowInput e) {
    eventCount++;
    switch (e.eventType) {
      case "page_view" -> pageViews++;
      case "add_to_cart" -> addToCarts++;
      case "purchase" -> purchases++;
      default -> {
      }
    }
    revenueCents += e.revenueCents;
    firstMs = Math.min(firstMs, e.timestamp);
    lastMs = Math.max(lastMs, e.timestamp);
    users.add(e.userId);
    if (e.productId != null) {
      products.merge(e.productId, 1L, Long::sum);
    }
    if (e.productCategory != null) {
      categories.merge(e.productCategory, 1L, Long::sum);
    }
  }

  /** Two sessions joined by an event that falls between them. */
  WindowAcc mergeFrom(WindowAcc other) {
    eventCount += other.eventCount;
    pageViews += other.pageViews;
    addToCarts += other.addToCarts;
    purchases += other.purchases;
    revenueCents += other.revenueCents;
    firstMs = Math.min(firstMs, other.firstMs);
    lastMs = Math.max(lastMs, other.lastMs);
    users.addAll(other.users);
    other.products.forEach((k, v) -> products.merge(k, v, Long::sum));
    other.categories.forEach((k, v) -> categories.merge(k, v, Long::sum));
    return this;
  }
}
