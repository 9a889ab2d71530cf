package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.DmlGrants;
import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Versioned schema migrations against the real PostgreSQL, through the real jar: a database created by the
 * pre-migrations sql/init.sql keeps its rows and is adopted; POSTGRES_MIGRATE=false refuses a database that is
 * behind with one line; and, after POSTGRES_MIGRATE=only as the owner, the pipeline runs as a role with only the
 * DML grants docs/operations.md documents.
 */
class SchemaMigrationIT {
  private final TestInfra infra = TestInfra.get();

  private static String legacyInitSql() throws IOException {
    try (InputStream in = SchemaMigrationIT.class.getResourceAsStream("/legacy/init-0.1.sql")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The highest V<n> in sql/migration: what a start must bring a database to. */
  static String latestVersion() throws IOException {
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("sql/migration"))) {
      return String.valueOf(files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
          .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow());
    }
  }

  /** Rows of every table as release 0.1 wrote them. */
  private void insertLegacyRows(String database) {
    infra.sql(database, "INSERT INTO clickstream_events (event_id, event_type, event_timestamp_ms, user_id, "
        + "session_id, page_url, user_agent, ip_address, geo_country, event_hour, is_mobile) SELECT "
        + "'legacy-' || i, 'page_view', 1700000000000 + i, 'u' || i, 's' || i, '/p', 'ua', '10.0.0.1', 'DE', 3, "
        + "false FROM generate_series(1, 250) i");
    infra.sql(database, "INSERT INTO dead_letter_events (source_topic, source_partition, source_offset, "
        + "error_reason, original_payload, payload_encoding, failed_at, failed_at_iso, published) VALUES "
        + "('old.events', 0, 7, 'bad', 'x', 'utf8', 1700000000000, '2023-11-14T22:13:20Z', true)");
    infra.sql(database, "INSERT INTO aggregated_metrics (window_id, window_type, window_start, window_end, "
        + "source_partition, event_count, unique_users, page_views, add_to_carts, purchases, total_revenue_cents, "
        + "top_products, top_categories, product_ids, product_counts, category_names, category_counts, emitted_at, "
        + "published) VALUES ('" + UUID.randomUUID() + "', 'events_per_minute', 0, 60000, 0, 5, 2, 5, 0, 0, 0, "
        + "'{}', '{}', '{}', '{}', '{}', '{}', 1, true)");
    infra.sql(database, "INSERT INTO pipeline_checkpoints (consumer_group, topic, partition, next_offset, "
        + "checkpoint_id) VALUES ('old-group', 'old.events', 0, 42, 9)");
  }

  private static void awaitReady(Map<String, String> env, PipelineProcess process) {
    String url = "http://127.0.0.1:" + env.get("METRICS_PORT") + "/health/ready";
    Await.until(Duration.ofSeconds(120), "the pipeline ready (" + url + ")", () -> {
      if (!process.alive()) {
        throw new AssertionError("the pipeline exited:\n" + process.output());
      }
      try {
        return Http.get(url).status();
      } catch (IllegalStateException notListeningYet) {
        return 0;
      }
    }, status -> status == 200);
  }

  @Test
  void aDatabaseCreatedByTheOldInitSqlIsAdoptedWithItsRows() throws Exception {
    String database = infra.createEmptyDatabase();
    infra.sql(database, legacyInitSql());
    insertLegacyRows(database);
    Db db = new Db(infra, database);
    Map<String, String> env = infra.pipelineConfig(database, "adopt");
    try (PipelineProcess process = PipelineProcess.start(env)) {
      awaitReady(env, process);
      assertEquals(250, db.count("SELECT count(*) FROM clickstream_events WHERE event_id LIKE 'legacy-%'"));
      assertEquals(1, db.count("SELECT count(*) FROM dead_letter_events WHERE source_topic = 'old.events'"));
      assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics"));
      assertEquals(42, db.count("SELECT next_offset FROM pipeline_checkpoints WHERE consumer_group = 'old-group'"));
      List<Map<String, Object>> history = db.rows(
          "SELECT version, type, success FROM flyway_schema_history ORDER BY installed_rank");
      assertEquals(Map.of("version", "0", "type", "BASELINE", "success", true), history.get(0), history.toString());
      assertEquals(Map.of("version", "1", "type", "SQL", "success", true), history.get(1), history.toString());
      assertEquals(latestVersion(), history.get(history.size() - 1).get("version"), history.toString());
      assertTrue(history.stream().allMatch(r -> Boolean.TRUE.equals(r.get("success"))), history.toString());
      assertTrue(process.output().contains("schema migrated to version " + latestVersion()), process.output());
      process.terminate(60);
    }
    // A second start finds nothing to do.
    try (PipelineProcess again = PipelineProcess.start(env)) {
      awaitReady(env, again);
      assertTrue(again.output().contains("schema is at version " + latestVersion()), again.output());
      again.terminate(60);
    }
  }

  /**
   * V8 over a database of an older release with windows not sent yet (published = false): they are queued in
   * aggregated_outbox in the order they were written, the column and its indexes go, and the pipeline then sends
   * exactly those windows. A window already published is neither queued nor sent again.
   */
  @Test
  void unpublishedWindowsOfAnOlderReleaseAreQueuedAndThenPublished() throws Exception {
    String database = infra.createEmptyDatabase();
    infra.sql(database, legacyInitSql());
    insertLegacyRows(database);
    List<String> unpublished = List.of("legacy-window-c", "legacy-window-a", "legacy-window-b");
    for (int i = 0; i < unpublished.size(); i++) {
      infra.sql(database, "INSERT INTO aggregated_metrics (window_id, window_type, window_start, window_end, "
          + "source_partition, event_count, unique_users, page_views, add_to_carts, purchases, "
          + "total_revenue_cents, top_products, top_categories, product_ids, product_counts, category_names, "
          + "category_counts, emitted_at, published, created_at) VALUES ('" + unpublished.get(i)
          + "', 'events_per_minute', " + (i * 60_000) + ", " + ((i + 1) * 60_000) + ", 1, 3, 1, 3, 0, 0, 0, "
          + "'{}', '{}', '{}', '{}', '{}', '{}', 1, false, now() - interval '" + (10 - i) + " days')");
    }
    // Version 7, as the release before this one left it.
    Flyway.configure().dataSource(infra.jdbcUrl(database), infra.pgUser, infra.pgPassword)
        .locations("classpath:sql/migration").baselineOnMigrate(true).baselineVersion("0").target("7").load()
        .migrate();
    Db db = new Db(infra, database);
    assertEquals(3, db.count("SELECT count(*) FROM aggregated_metrics WHERE NOT published"));

    String version = io.streampipeline.infra.Schema.migrate(new io.streampipeline.infra.Schema.Target(
        infra.jdbcUrl(database), infra.pgUser, infra.pgPassword));
    assertEquals(latestVersion(), version);
    assertEquals(unpublished, db.rows("SELECT window_id FROM aggregated_outbox ORDER BY seq").stream()
        .map(r -> (String) r.get("window_id")).toList(), "queued oldest first");
    assertEquals(0, db.count("SELECT count(*) FROM information_schema.columns WHERE table_name = "
        + "'aggregated_metrics' AND column_name = 'published'"));
    assertEquals(0, db.count("SELECT count(*) FROM pg_indexes WHERE indexname IN ('idx_aggregated_unpublished', "
        + "'idx_aggregated_published_created')"));
    assertEquals(4, db.count("SELECT count(*) FROM aggregated_metrics"));

    Map<String, String> env = infra.pipelineConfig(database, "queued");
    var config = io.streampipeline.config.ConfigLoader.fromMap(env);
    try (PipelineProcess process = PipelineProcess.start(env)) {
      awaitReady(env, process);
      Await.until(Duration.ofSeconds(60), "the queued windows published",
          () -> db.count("SELECT count(*) FROM aggregated_outbox"), n -> n == 0);
      var records = TestData.readAll(infra.bootstrapServers, config.kafka().aggregatedTopic(), unpublished.size(),
          Duration.ofSeconds(30));
      assertEquals(Set.copyOf(unpublished), records.stream().map(r -> r.key()).collect(Collectors.toSet()),
          "exactly the windows not published before");
      assertEquals(unpublished.size(), records.size(), records.toString());
      process.terminate(60);
    }
  }

  @Test
  void aDatabaseWithOtherTablesGetsThePipelinesTablesToo() throws IOException {
    String database = infra.createEmptyDatabase();
    infra.sql(database, "CREATE TABLE someone_elses (id int PRIMARY KEY)");
    infra.sql(database, "INSERT INTO someone_elses VALUES (1), (2)");
    String version = io.streampipeline.infra.Schema.migrate(new io.streampipeline.infra.Schema.Target(
        infra.jdbcUrl(database), infra.pgUser, infra.pgPassword));
    assertEquals(latestVersion(), version);
    Db db = new Db(infra, database);
    assertEquals(2, db.count("SELECT count(*) FROM someone_elses"));
    assertEquals(4, db.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
        + "('clickstream_events', 'aggregated_metrics', 'dead_letter_events', 'pipeline_checkpoints')"));
  }

  @Test
  void withoutMigrateAnUnversionedDatabaseStopsStartUpWithOneLine() throws Exception {
    String database = infra.createEmptyDatabase();
    infra.sql(database, legacyInitSql());
    Map<String, String> env = infra.pipelineConfig(database, "nomigrate");
    env.put("POSTGRES_MIGRATE", "false");
    assertRefused(env, "Invalid configuration: POSTGRES_MIGRATE='false' but the database has no schema history");
    assertEquals(0, new Db(infra, database).count(
        "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'"), "nothing was changed");
  }

  @Test
  void withoutMigrateADatabaseBehindStopsStartUpNamingTheVersions() throws Exception {
    String database = infra.createEmptyDatabase();
    Flyway.configure().dataSource(infra.jdbcUrl(database), infra.pgUser, infra.pgPassword)
        .locations("classpath:sql/migration").target("1").load().migrate();
    Map<String, String> env = infra.pipelineConfig(database, "behind");
    env.put("POSTGRES_MIGRATE", "false");
    assertRefused(env, "Invalid configuration: POSTGRES_MIGRATE='false' but the database schema is at version 1 "
        + "and this release needs " + latestVersion());
  }

  private static void assertRefused(Map<String, String> env, String linePrefix) throws Exception {
    try (PipelineProcess process = PipelineProcess.start(env)) {
      assertEquals(2, process.waitFor(120), process.output());
      List<String> lines = process.output().lines().filter(l -> l.contains("Invalid configuration")).toList();
      assertEquals(1, lines.size(), process.output());
      assertTrue(lines.get(0).contains(linePrefix), process.output());
      assertFalse(process.output().contains("\tat "), "no stack trace:\n" + process.output());
    }
  }

  /** The grants docs/operations.md ("Running without DDL rights") documents, for a role named {@code role}. */
  @Test
  void aRoleWithOnlyDmlGrantsRunsThePipelineWithoutMigrate() throws Exception {
    String database = infra.createEmptyDatabase();
    // The one-off migration as the schema's owner, as docs/operations.md shows it (no Kafka needed).
    Map<String, String> owner = infra.pipelineConfig(database, "owner");
    owner.remove("KAFKA_BOOTSTRAP_SERVERS");
    owner.put("POSTGRES_MIGRATE", "only");
    try (PipelineProcess migrate = PipelineProcess.start(owner)) {
      assertEquals(0, migrate.waitFor(120), migrate.output());
      assertTrue(migrate.output().contains("schema migrated to version " + latestVersion()), migrate.output());
      assertFalse(migrate.output().contains("Embedded Kafka"), migrate.output());
    }
    String role = "app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    infra.sql(database, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    infra.sql(database, "REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
    infra.sql(database, "CREATE ROLE " + role + " LOGIN PASSWORD 'app-secret'");
    for (String grant : DmlGrants.of(database, role)) {
      infra.sql(database, grant);
    }
    try (Connection conn = DriverManager.getConnection(infra.jdbcUrl(database), role, "app-secret");
        Statement st = conn.createStatement()) {
      SQLException refused = assertThrows(SQLException.class, () -> st.execute("CREATE TABLE ddl_probe (x int)"));
      assertTrue(refused.getMessage().contains("permission denied"), refused.getMessage());
    }

    Map<String, String> env = infra.pipelineConfig(database, "dmlonly");
    env.put("POSTGRES_USER", role);
    env.put("POSTGRES_PASSWORD", "app-secret");
    env.put("POSTGRES_MIGRATE", "false");
    var config = io.streampipeline.config.ConfigLoader.fromMap(env);
    io.streampipeline.infra.Topics.ensure(infra.bootstrapServers, config);
    var messages = TestData.generate(11L, 400, 0.05, 1_700_000_000_000L, 100);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages);
    long valid = TestData.kinds(messages).getOrDefault(io.streampipeline.generator.GeneratedMessage.Kind.VALID, 0L);
    Db db = new Db(infra, database);
    try (PipelineProcess process = PipelineProcess.start(env)) {
      awaitReady(env, process);
      Await.until(Duration.ofSeconds(120), "every valid event stored by " + role,
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n >= valid);
      Await.until(Duration.ofSeconds(60), "dead letters published by " + role,
          () -> db.count("SELECT count(*) FROM dead_letter_events WHERE NOT published"), n -> n == 0);
      assertTrue(db.count("SELECT count(*) FROM dead_letter_events") > 0);
      assertTrue(process.output().contains("POSTGRES_MIGRATE=false: checked, not changed"), process.output());
      process.terminate(60);
      assertTrue(process.output().contains("stopped"), process.output());
    }
  }
}
