package io.streampipeline.dashboard;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * What the dashboard reads from PostgreSQL besides row counts, all in one place: the stored windows of a
 * period (so a page opened after a restart shows the past at once), exact top lists over a period (from the
 * full per-partition tallies, not from merged top-10 lists), the figures of the still open window as stored so
 * far, dead-letter reasons and pages of dead letters, and each partition's last checkpoint.
 */
final class DashboardQueries {
  static final int TOP_PRODUCTS = 10;
  static final int TOP_CATEGORIES = 5;
  static final int TOP_REASONS = 5;
  static final int MAX_PAGE_SIZE = 100;

  /** The newest events_per_minute window that does not start in the far future (a wrong clock). */
  private static final String NEWEST_END = "SELECT window_end FROM aggregated_metrics "
      + "WHERE window_type = 'events_per_minute' AND window_start <= $1 ORDER BY window_start DESC LIMIT 1";
  private static final String WINDOWS = "SELECT window_type, window_start, window_end, event_count, unique_users, "
      + "page_views, add_to_carts, purchases, total_revenue_cents, partitions FROM aggregated_metrics_global "
      + "WHERE window_type IN ('events_per_minute', 'revenue_per_5min') AND window_end > $1 AND window_start < $2 "
      + "ORDER BY window_type, window_start";
  private static final String TOP = "SELECT u.id, sum(u.n)::BIGINT AS n FROM aggregated_metrics a, "
      + "unnest(a.%s, a.%s) AS u(id, n) WHERE a.window_type = 'events_per_minute' AND a.window_start >= $1 "
      + "AND a.window_end <= $2 GROUP BY u.id ORDER BY n DESC, u.id LIMIT $3";
  private static final String OPEN_WINDOW = "SELECT count(*) AS events, "
      + "count(*) FILTER (WHERE event_type = 'purchase') AS purchases, "
      + "coalesce(sum(revenue_cents), 0)::BIGINT AS revenue_cents FROM clickstream_events "
      + "WHERE event_timestamp_ms >= $1 AND event_timestamp_ms < $2";
  private static final String DLQ_REASONS = "SELECT error_reason, count(*) AS n FROM dead_letter_events "
      + "WHERE failed_at >= $1 GROUP BY error_reason ORDER BY n DESC, error_reason LIMIT " + TOP_REASONS;
  private static final String DLQ_PAGE = "SELECT id, source_topic, source_partition, source_offset, error_reason, "
      + "original_payload, payload_encoding, failed_at, failed_at_iso FROM dead_letter_events "
      + "WHERE error_reason = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
  private static final String DLQ_COUNT = "SELECT count(*) AS n FROM dead_letter_events WHERE error_reason = $1";
  private static final String CHECKPOINTS = "SELECT partition, next_offset, "
      + "(extract(epoch FROM updated_at) * 1000)::BIGINT AS updated_at_ms FROM pipeline_checkpoints "
      + "WHERE consumer_group = $1 AND topic = $2 ORDER BY partition";

  private final Pool pool;

  DashboardQueries(Pool pool) {
    this.pool = pool;
  }

  /**
   * The stored windows of both tumbling types that end within {@code rangeMs} before the newest stored
   * events_per_minute window's end (the same "last period" the live figures use).
   */
  Future<JsonObject> windows(long rangeMs, long nowMs) {
    return pool.preparedQuery(NEWEST_END).execute(Tuple.of(nowMs + DashboardState.FUTURE_TOLERANCE_MS))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(windowsJson(rangeMs, null, new JsonArray(), new JsonArray()));
          }
          long to = rows.iterator().next().getLong("window_end");
          return pool.preparedQuery(WINDOWS).execute(Tuple.of(to - rangeMs, to)).map(found -> {
            JsonArray events = new JsonArray();
            JsonArray revenue = new JsonArray();
            for (Row row : found) {
              JsonObject w = windowJson(row);
              ("events_per_minute".equals(row.getString("window_type")) ? events : revenue).add(w);
            }
            return windowsJson(rangeMs, to, events, revenue);
          });
        });
  }

  private static JsonObject windowsJson(long rangeMs, Long to, JsonArray events, JsonArray revenue) {
    return new JsonObject()
        .put("range_ms", rangeMs)
        .put("from", to == null ? null : to - rangeMs)
        .put("to", to)
        .put("series", new JsonObject().put("events_per_minute", events).put("revenue_per_5min", revenue));
  }

  private static JsonObject windowJson(Row row) {
    return new JsonObject()
        .put("window_type", row.getString("window_type"))
        .put("window_start", row.getLong("window_start"))
        .put("window_end", row.getLong("window_end"))
        .put("event_count", row.getLong("event_count"))
        .put("unique_users", row.getLong("unique_users"))
        .put("page_views", row.getLong("page_views"))
        .put("add_to_carts", row.getLong("add_to_carts"))
        .put("purchases", row.getLong("purchases"))
        .put("total_revenue_cents", row.getLong("total_revenue_cents"))
        .put("partitions", row.getLong("partitions"));
  }

  /** Exact top products and categories over the events_per_minute windows within [from, to). */
  Future<JsonObject> top(long from, long to) {
    Future<JsonArray> products = ranked(String.format(TOP, "product_ids", "product_counts"), from, to, TOP_PRODUCTS);
    Future<JsonArray> categories = ranked(String.format(TOP, "category_names", "category_counts"), from, to,
        TOP_CATEGORIES);
    return Future.all(products, categories).map(v -> new JsonObject().put("from", from).put("to", to)
        .put("products", products.result()).put("categories", categories.result()));
  }

  private Future<JsonArray> ranked(String sql, long from, long to, int limit) {
    return pool.preparedQuery(sql).execute(Tuple.of(from, to, limit)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(r -> items.add(new JsonObject().put("id", r.getString("id")).put("count", r.getLong("n"))));
      return items;
    });
  }

  /** The still open window [start, end) as stored so far (events are stored at each checkpoint). */
  Future<JsonObject> openWindow(long start, long end) {
    return pool.preparedQuery(OPEN_WINDOW).execute(Tuple.of(start, end)).map(rows -> {
      Row r = rows.iterator().next();
      return new JsonObject().put("window_start", start).put("window_end", end)
          .put("events_stored", r.getLong("events")).put("purchases", r.getLong("purchases"))
          .put("revenue_cents", r.getLong("revenue_cents"));
    });
  }

  /** The most frequent dead-letter reasons since the given time, with counts. */
  Future<JsonArray> deadLetterReasons(long sinceMs) {
    return pool.preparedQuery(DLQ_REASONS).execute(Tuple.of(sinceMs)).map(rows -> {
      JsonArray reasons = new JsonArray();
      rows.forEach(r -> reasons.add(new JsonObject().put("reason", r.getString("error_reason"))
          .put("count", r.getLong("n"))));
      return reasons;
    });
  }

  /** One page (newest first) of the dead letters with exactly this reason. */
  Future<JsonObject> deadLetters(String reason, int page, int size) {
    Future<Long> total = pool.preparedQuery(DLQ_COUNT).execute(Tuple.of(reason))
        .map(rows -> rows.iterator().next().getLong("n"));
    Future<JsonArray> rows = pool.preparedQuery(DLQ_PAGE).execute(Tuple.of(reason, size, (long) page * size))
        .map(found -> {
          JsonArray items = new JsonArray();
          for (Row r : found) {
            items.add(new JsonObject()
                .put("id", r.getLong("id"))
                .put("source_topic", r.getString("source_topic"))
                .put("source_partition", r.getInteger("source_partition"))
                .put("source_offset", r.getLong("source_offset"))
                .put("error_reason", r.getString("error_reason"))
                .put("original_payload", r.getString("original_payload"))
                .put("payload_encoding", r.getString("payload_encoding"))
                .put("failed_at", r.getLong("failed_at"))
                .put("failed_at_iso", r.getString("failed_at_iso")));
          }
          return items;
        });
    return Future.all(total, rows).map(v -> new JsonObject().put("reason", reason).put("page", page)
        .put("size", size).put("total", total.result()).put("rows", rows.result()));
  }

  /** Per partition of the events topic: the next offset to read and when its last checkpoint was written. */
  Future<JsonObject> checkpoints(String group, String topic) {
    return pool.preparedQuery(CHECKPOINTS).execute(Tuple.of(group, topic)).map(rows -> {
      JsonObject partitions = new JsonObject();
      rows.forEach(r -> partitions.put(String.valueOf(r.getInteger("partition")), new JsonObject()
          .put("next_offset", r.getLong("next_offset")).put("updated_at", r.getLong("updated_at_ms"))));
      return partitions;
    });
  }
}
