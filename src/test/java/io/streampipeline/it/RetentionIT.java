package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.config.OpsConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.sink.RetentionVerticle;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Retention against the real PostgreSQL: published dead letters and windows older than their limits are
 * deleted (more than one batch of them), newer ones stay, and unpublished rows (the outbox, not yet on Kafka;
 * for windows: queued in aggregated_outbox) stay however old they are. Events go when their event time and their
 * stored time are both older than the limit: a replay of old data stored yesterday stays.
 */
class RetentionIT {

  @Test
  void deletesOldPublishedRowsAndKeepsNewAndUnpublishedOnes() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    insertDeadLetters(infra, database, 2500, "40 days", true, "old-published");
    insertDeadLetters(infra, database, 3, "400 days", false, "old-unpublished");
    insertDeadLetters(infra, database, 5, "29 days", true, "recent-published");
    insertWindows(infra, database, 600, "11 days", true, "old-published");
    insertWindows(infra, database, 2, "100 days", false, "old-unpublished");
    insertWindows(infra, database, 3, "11 days", false, "old-queued");
    insertWindows(infra, database, 600, "12 days", true, "older-published");
    insertWindows(infra, database, 4, "9 days", true, "recent-published");
    insertEvents(infra, database, 25_000, "21 days", "21 days", "old");
    insertEvents(infra, database, 7, "400 days", "1 day", "replayed");
    insertEvents(infra, database, 9, "19 days", "21 days", "recent");

    Vertx vertx = Vertx.vertx();
    try {
      Endpoints endpoints = new Endpoints(infra.bootstrapServers, infra.pgHost, infra.pgPort, database, infra.pgUser,
          infra.pgPassword);
      vertx.deployVerticle(new RetentionVerticle(new OpsConfig(OpsConfig.Migrate.APPLY, OpsConfig.LOG_TEXT, 20, 30, 10, 200), endpoints))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Await.until(Duration.ofSeconds(60), "old published dead letters deleted",
          () -> db.count("SELECT count(*) FROM dead_letter_events WHERE error_reason = 'old-published'"), n -> n == 0);
      Await.until(Duration.ofSeconds(60), "old published windows deleted",
          () -> db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type IN ('old-published', "
              + "'older-published')"), n -> n == 0);
      Await.until(Duration.ofSeconds(60), "old events deleted",
          () -> db.count("SELECT count(*) FROM clickstream_events WHERE user_id = 'old'"), n -> n == 0);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    assertEquals(3, db.count("SELECT count(*) FROM dead_letter_events WHERE error_reason = 'old-unpublished'"));
    assertEquals(5, db.count("SELECT count(*) FROM dead_letter_events WHERE error_reason = 'recent-published'"));
    assertEquals(8, db.count("SELECT count(*) FROM dead_letter_events"));
    assertEquals(2, db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type = 'old-unpublished'"));
    assertEquals(4, db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type = 'recent-published'"));
    assertEquals(3, db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type = 'old-queued'"),
        "windows still queued in the outbox stay, among old ones deleted around them");
    assertEquals(9, db.count("SELECT count(*) FROM aggregated_metrics"));
    assertEquals(5, db.count("SELECT count(*) FROM aggregated_outbox"));
    assertEquals(7, db.count("SELECT count(*) FROM clickstream_events WHERE user_id = 'replayed'"));
    assertEquals(9, db.count("SELECT count(*) FROM clickstream_events WHERE user_id = 'recent'"));
    assertEquals(16, db.count("SELECT count(*) FROM clickstream_events"));
  }

  /**
   * New rows of the events table are not in its BRIN time index until their block ranges are summarized; until
   * then every time query reads them all. The verticle summarizes them (here within its first pass, 5 s after
   * start) even with every retention rule off.
   */
  @Test
  void summarizesTheTimeIndexSoThatAnOpenMinuteReadsFewPages() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    // So that no autovacuum summarizes the index meanwhile: what is measured is the verticle's doing.
    db.execute("ALTER TABLE clickstream_events SET (autovacuum_enabled = false)");
    insertEvents(infra, database, 60_000, "1 day", "1 day", "recent");
    // Statistics, so that the planner knows time follows the table's order and picks the BRIN index.
    db.execute("ANALYZE clickstream_events");
    long first = db.count("SELECT min(event_timestamp_ms) FROM clickstream_events");
    String oneSecond = "SELECT count(*) FROM clickstream_events WHERE event_timestamp_ms BETWEEN " + (first + 30_000)
        + " AND " + (first + 31_000);
    long pagesBefore = heapPagesRead(db, oneSecond);
    assertTrue(pagesBefore > 500, "before summarizing, every page is read: " + pagesBefore);

    Vertx vertx = Vertx.vertx();
    try {
      Endpoints endpoints = new Endpoints(infra.bootstrapServers, infra.pgHost, infra.pgPort, database, infra.pgUser,
          infra.pgPassword);
      vertx.deployVerticle(new RetentionVerticle(new OpsConfig(OpsConfig.Migrate.APPLY, OpsConfig.LOG_TEXT, 0, 0, 0,
              3_600_000), endpoints))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Await.until(Duration.ofSeconds(30), "the time index summarized", () -> heapPagesRead(db, oneSecond),
          n -> n <= 64);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    assertEquals(1001, db.count(oneSecond));
  }

  private static long heapPagesRead(Db db, String query) {
    long pages = 0;
    for (Map<String, Object> line : db.rows("EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) " + query)) {
      Matcher m = Pattern.compile("Heap Blocks:.*?(?:exact|lossy)=(\\d+)(?: (?:exact|lossy)=(\\d+))?")
          .matcher(String.valueOf(line.values().iterator().next()));
      if (m.find()) {
        pages += Long.parseLong(m.group(1)) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
      }
    }
    return pages;
  }

  /** user_id holds the test's label. */
  private static void insertEvents(TestInfra infra, String database, int n, String eventAge, String storedAge,
      String label) {
    infra.sql(database, "INSERT INTO clickstream_events (event_id, event_type, event_timestamp_ms, user_id, "
        + "session_id, page_url, user_agent, ip_address, geo_country, event_hour, is_mobile, ingested_at) "
        + "SELECT '" + label + "-' || i, 'page_view', (extract(epoch FROM now() - interval '" + eventAge
        + "') * 1000)::BIGINT + i, '" + label + "', 's', '/', 'ua', '192.0.2.1', 'IT', 0, false, now() - interval '"
        + storedAge + "' FROM generate_series(1, " + n + ") i");
  }

  private static void insertDeadLetters(TestInfra infra, String database, int n, String age, boolean published,
      String reason) {
    infra.sql(database, "INSERT INTO dead_letter_events (source_topic, source_partition, source_offset, error_reason, "
        + "original_payload, payload_encoding, failed_at, failed_at_iso, published, created_at) SELECT '" + reason
        + "', 0, i, '" + reason + "', 'x', 'utf8', 1, '1970-01-01T00:00:00.001Z', " + published
        + ", now() - interval '" + age + "' FROM generate_series(1, " + n + ") i");
  }

  /**
   * window_type holds the test's label: the table does not constrain it. Unpublished windows are queued in the
   * outbox (aggregated_outbox), as the checkpoint queues them.
   */
  private static void insertWindows(TestInfra infra, String database, int n, String age, boolean published,
      String label) {
    infra.sql(database, "INSERT INTO aggregated_metrics (window_id, window_type, window_start, window_end, "
        + "source_partition, event_count, unique_users, page_views, add_to_carts, purchases, total_revenue_cents, "
        + "top_products, top_categories, product_ids, product_counts, category_names, category_counts, emitted_at, "
        + "created_at) SELECT '" + label + "-' || i, '" + label + "', i, i + 1, 0, 1, 1, 1, 0, 0, 0, "
        + "'{}', '{}', '{}', '{}', '{}', '{}', 1, now() - interval '" + age + "' "
        + "FROM generate_series(1, " + n + ") i");
    if (!published) {
      infra.sql(database, "INSERT INTO aggregated_outbox (window_id) SELECT '" + label + "-' || i "
          + "FROM generate_series(1, " + n + ") i");
    }
  }
}
