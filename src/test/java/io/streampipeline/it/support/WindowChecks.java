package io.streampipeline.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.config.PipelineConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recomputes every window from clickstream_events with SQL and compares it with what the pipeline emitted:
 * the global view for the tumbling types, and one row per session for session_summary.
 */
public final class WindowChecks {
  private WindowChecks() {
  }

  private static String tumblingSql(String type, long sizeMs, String counted) {
    return "SELECT '" + type + "' AS window_type, (event_timestamp_ms / " + sizeMs + ") * " + sizeMs
        + " AS window_start, count(*) AS event_count, count(DISTINCT user_id) AS unique_users, "
        + "count(*) FILTER (WHERE event_type = 'page_view') AS page_views, "
        + "count(*) FILTER (WHERE event_type = 'add_to_cart') AS add_to_carts, "
        + "count(*) FILTER (WHERE event_type = 'purchase') AS purchases, "
        + "sum(revenue_cents) AS total_revenue_cents FROM clickstream_events WHERE " + counted + " GROUP BY 2";
  }

  private static final String VIEW = "SELECT window_type, window_start, event_count, unique_users, page_views, "
      + "add_to_carts, purchases, total_revenue_cents FROM aggregated_metrics_global WHERE window_type = '%s'";

  /** Keyed figures of one window type, as the view shows them. */
  public static Map<String, String> emittedTumbling(Db db, String type) {
    return keyed(db.rows(String.format(VIEW, type)));
  }

  /** Waits until the emitted windows of each type account for every stored event (all closed and written). */
  public static void awaitAllEmitted(Db db, long events) {
    String sum = "SELECT coalesce(sum(event_count), 0) FROM aggregated_metrics WHERE window_type = ";
    Await.until(Duration.ofSeconds(60), "every window and session emitted",
        () -> db.count(sum + "'events_per_minute'") + "/" + db.count(sum + "'revenue_per_5min'") + "/"
            + db.count(sum + "'session_summary'"),
        sums -> sums.equals(events + "/" + events + "/" + events));
  }

  /** How many windows of each kind {@link #assertAllExact} compared. */
  public record Compared(int tumbling, int sessions) {
  }

  /**
   * Every tumbling window and every session equals SQL over the stored events that match {@code counted} (an SQL
   * condition: those not late), with the window sizes and session timeout of {@code config}.
   */
  public static Compared assertAllExact(Db db, PipelineConfig config, String counted) {
    int tumbling = assertTumblingExact(db, config.windows().tumblingMs(), config.windows().revenueMs(), counted);
    return new Compared(tumbling, assertSessionsExact(db, config.windows().sessionTimeoutMs(), counted));
  }

  /** The same over all stored events, once the emitted windows account for all {@code events} of them. */
  public static Compared awaitAllExact(Db db, PipelineConfig config, long events) {
    awaitAllEmitted(db, events);
    return assertAllExact(db, config, "true");
  }

  /** Every tumbling window equals SQL over the stored events; returns how many windows were compared. */
  public static int assertTumblingExact(Db db, long minuteMs, long revenueMs) {
    return assertTumblingExact(db, minuteMs, revenueMs, "true");
  }

  /** The same over the stored events that match {@code counted}, an SQL condition (those not late). */
  public static int assertTumblingExact(Db db, long minuteMs, long revenueMs, String counted) {
    int compared = 0;
    for (Object[] t : new Object[][] {{"events_per_minute", minuteMs}, {"revenue_per_5min", revenueMs}}) {
      Map<String, String> expected = keyed(db.rows(tumblingSql((String) t[0], (Long) t[1], counted)));
      Map<String, String> emitted = emittedTumbling(db, (String) t[0]);
      assertTrue(expected.size() > 0, "there are " + t[0] + " windows");
      assertEquals(expected, emitted, t[0] + " windows equal SQL over clickstream_events");
      compared += expected.size();
    }
    assertEquals(0, db.count("SELECT count(*) FROM (SELECT window_id FROM aggregated_metrics GROUP BY window_id "
        + "HAVING count(*) > 1) d"), "one row per window_id");
    return compared;
  }

  /** Sessions split where the gap between consecutive events exceeds the timeout. */
  public static int assertSessionsExact(Db db, long timeoutMs) {
    return assertSessionsExact(db, timeoutMs, "true");
  }

  /** The same over the stored events that match {@code counted}, an SQL condition (those not late). */
  public static int assertSessionsExact(Db db, long timeoutMs, String counted) {
    String expectedSql = "WITH e AS (SELECT user_id, session_id, event_timestamp_ms AS ts, event_type, revenue_cents, "
        + "CASE WHEN event_timestamp_ms - lag(event_timestamp_ms) OVER (PARTITION BY user_id, session_id "
        + "ORDER BY event_timestamp_ms) > " + timeoutMs + " THEN 1 ELSE 0 END AS brk FROM clickstream_events "
        + "WHERE " + counted + "), "
        + "s AS (SELECT *, sum(brk) OVER (PARTITION BY user_id, session_id ORDER BY ts "
        + "ROWS UNBOUNDED PRECEDING) AS n FROM e) "
        + "SELECT user_id || '/' || session_id || '/' || min(ts) AS k, max(ts) AS window_end, count(*) AS event_count, "
        + "count(*) FILTER (WHERE event_type = 'page_view') AS page_views, "
        + "count(*) FILTER (WHERE event_type = 'add_to_cart') AS add_to_carts, "
        + "count(*) FILTER (WHERE event_type = 'purchase') AS purchases, "
        + "sum(revenue_cents) AS total_revenue_cents FROM s GROUP BY user_id, session_id, n";
    String emittedSql = "SELECT user_id || '/' || session_id || '/' || window_start AS k, window_end, event_count, "
        + "page_views, add_to_carts, purchases, total_revenue_cents FROM aggregated_metrics "
        + "WHERE window_type = 'session_summary'";
    Map<String, String> expected = keyed(db.rows(expectedSql));
    Map<String, String> emitted = keyed(db.rows(emittedSql));
    assertTrue(expected.size() > 0, "there are sessions");
    assertEquals(expected, emitted, "session_summary rows equal SQL sessionization of clickstream_events");
    return expected.size();
  }

  private static Map<String, String> keyed(List<Map<String, Object>> rows) {
    Map<String, String> keyed = new TreeMap<>();
    for (Map<String, Object> row : rows) {
      List<Object> values = List.copyOf(row.values().stream().map(v -> v == null ? "null"
          : v instanceof Number n ? Long.toString(n.longValue()) : v).toList());
      String key = values.get(0) + (row.containsKey("window_start") ? "@" + values.get(1) : "");
      int from = row.containsKey("window_start") ? 2 : 1;
      keyed.put(key, values.subList(from, values.size()).toString());
    }
    return keyed;
  }
}
