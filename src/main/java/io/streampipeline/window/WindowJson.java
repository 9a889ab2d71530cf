package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A closed window as JSON with the AggregatedMetrics field names, for the event bus and browsers. */
public final class WindowJson {
  private WindowJson() {
  }

  public static JsonObject of(WindowResult w) {
    return new JsonObject()
        .put("window_id", w.windowId())
        .put("window_type", w.type().wireName())
        .put("window_start", w.windowStart())
        .put("window_end", w.windowEnd())
        .put("source_partition", w.partition())
        .put("user_id", w.userId())
        .put("session_id", w.sessionId())
        .put("event_count", w.eventCount())
        .put("unique_users", w.uniqueUsers())
        .put("page_views", w.pageViews())
        .put("add_to_carts", w.addToCarts())
        .put("purchases", w.purchases())
        .put("total_revenue_cents", w.totalRevenueCents())
        .put("top_products", new JsonArray(w.topProducts()))
        .put("top_categories", new JsonArray(w.topCategories()))
        .put("emitted_at", w.emittedAt());
  }
}
