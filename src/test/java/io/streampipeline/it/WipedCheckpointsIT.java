package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator deletes the pipeline's checkpoints (pipeline_checkpoints and pipeline_state_changes) and keeps the
 * data, e.g. to "reset" a consumer. The pipeline then reads the topic from its start again, with empty window
 * state: every event is stored already and every window written already. Nothing may be doubled or changed: the
 * events and dead letters are stored once, each window row keeps its figures, and each window is queued and sent
 * again (consumers upsert by window_id). The sink's first, plain try of such a checkpoint fails on a stored key;
 * the retry skips the stored events and upserts the windows (sink/SinkSql#INSERT_WINDOWS).
 */
class WipedCheckpointsIT {
  private static final long T0 = Instant.parse("2026-11-21T09:00:00Z").toEpochMilli();
  private static final String FIGURES = "SELECT window_id, window_type, window_start, window_end, event_count, "
      + "unique_users, page_views, add_to_carts, purchases, total_revenue_cents, top_products::text, "
      + "product_ids::text, product_counts::text, category_names::text, category_counts::text "
      + "FROM aggregated_metrics ORDER BY window_id";

  @Test
  void aPipelineWhoseCheckpointsWereDeletedReadsEverythingAgainAndStoresNothingTwice() {
    List<GeneratedMessage> messages = TestData.generate(4242L, 6_000, 0.02, T0, 300, 400);
    // A bounded replay whose records are all in Kafka before each start: the wall-clock idle rule closes its
    // half-hour sessions as soon as it is read.
    ItPipeline it = ItPipeline.create("wiped", Map.of("WINDOW_IDLE_SECONDS", "2", "WINDOW_IDLE_RULE", "wall-clock"));
    Db db = it.db();
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages);
    long valid = messages.stream().filter(m -> m.kind() == Kind.VALID).count();

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "all events stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == valid);
      WindowChecks.awaitAllEmitted(db, valid);
      awaitOutboxEmpty(db);
    } finally {
      app.stop();
    }
    List<Map<String, Object>> windows = db.rows(FIGURES);
    long deadLetters = db.count("SELECT count(*) FROM dead_letter_events");
    long lastEmitted = db.count("SELECT max(emitted_at) FROM aggregated_metrics");
    assertTrue(windows.size() > 100 && deadLetters > 0, windows.size() + " windows, " + deadLetters + " dead letters");

    db.execute("DELETE FROM pipeline_state_changes");
    db.execute("DELETE FROM pipeline_checkpoints");
    Application again = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "every window written again",
          () -> db.count("SELECT count(*) FROM aggregated_metrics WHERE emitted_at > " + lastEmitted),
          n -> n == windows.size());
      awaitOutboxEmpty(db);
      Await.until(Duration.ofSeconds(60), "the topic read to its end again",
          () -> db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"),
          n -> n == messages.size());
    } finally {
      again.stop();
    }
    assertEquals(valid, db.count("SELECT count(*) FROM clickstream_events"), "each event stored once");
    assertEquals(deadLetters, db.count("SELECT count(*) FROM dead_letter_events"), "each dead letter stored once");
    assertEquals(windows, db.rows(FIGURES), "every window row keeps its figures");
    WindowChecks.assertTumblingExact(db, config.windows().tumblingMs(), config.windows().revenueMs());
    WindowChecks.assertSessionsExact(db, config.windows().sessionTimeoutMs());

    // Sent twice, first and last figures alike: a consumer that upserts by window_id ends with the same table.
    Map<String, Integer> sends = new HashMap<>();
    TestData.readAll(infra.bootstrapServers, config.kafka().aggregatedTopic(), 2 * windows.size(), Duration.ofSeconds(60))
        .forEach(r -> sends.merge(r.key(), 1, Integer::sum));
    assertEquals(windows.size(), sends.size(), "every window on the topic");
    assertTrue(sends.values().stream().allMatch(n -> n == 2), "every window sent again after the reset");
  }

  private static void awaitOutboxEmpty(Db db) {
    Await.until(Duration.ofSeconds(60), "the outbox sent",
        () -> db.count("SELECT count(*) FROM aggregated_outbox"), n -> n == 0);
  }
}
