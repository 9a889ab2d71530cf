package io.streampipeline.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Figures the dashboard reads every few seconds rather than every second, because each costs a query: exact
 * top lists of the hour, the open window as stored so far, dead-letter reasons, checkpoints and lanes. A field
 * is null until its first successful read. Touched only on the verticle's event loop.
 */
final class SlowFacts {
  /** {"from", "to", "products": [...], "categories": [...]} over the same windows as the hour's totals. */
  JsonObject top;
  /** {"window_start", "window_end", "events_stored", "purchases", "revenue_cents"}: provisional. */
  JsonObject openWindow;
  /** [{"reason", "count"}] over the last hour. */
  JsonArray deadLetterReasons;
  /** {"partition": {"next_offset", "updated_at"}}. */
  JsonObject checkpoints;
  /** {"count", "members": [{"client_id", "lane", "partitions": [...]}]}: the pipeline group's consumers. */
  JsonObject lanes;
  /** Mean time of the checkpoints of the last few seconds in this process, ms; null without a lane here. */
  Double checkpointMs;
}
