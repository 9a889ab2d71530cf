package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.TestInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.outbox.OutboxBacklogVerticle;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The outbox backlog gauges against the real PostgreSQL: how many windows are queued and dead letters unpublished,
 * and how long the oldest of each has waited; zero once sent; NaN (unknown, not the last figure) while PostgreSQL
 * cannot be reached.
 */
class OutboxBacklogIT {

  @Test
  void reportsWhatWaitsAndForHowLong() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "outbox-backlog"));
    // Three windows queued, the oldest 10 minutes ago; two dead letters waiting, the oldest 20 minutes ago, and one
    // that was sent long ago (not counted).
    infra.sql(database, "INSERT INTO aggregated_outbox (window_id, queued_at) VALUES ('w1', now() - interval "
        + "'10 minutes'), ('w2', now() - interval '1 minute'), ('w3', now())");
    infra.sql(database, "INSERT INTO dead_letter_events (source_topic, source_partition, source_offset, error_reason, "
        + "original_payload, payload_encoding, failed_at, failed_at_iso, published, created_at) VALUES "
        + "('t', 0, 1, 'r', 'x', 'utf8', 1, '1970-01-01T00:00:00.001Z', false, now() - interval '20 minutes'), "
        + "('t', 0, 2, 'r', 'x', 'utf8', 1, '1970-01-01T00:00:00.001Z', false, now()), "
        + "('t', 0, 3, 'r', 'x', 'utf8', 1, '1970-01-01T00:00:00.001Z', true, now() - interval '2 days')");

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Vertx vertx = Vertx.vertx();
    try {
      Endpoints endpoints = new Endpoints(infra.bootstrapServers, infra.pgHost, infra.pgPort, database, infra.pgUser,
          infra.pgPassword);
      vertx.deployVerticle(new OutboxBacklogVerticle(config, endpoints, new PipelineMetrics(registry)))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      String windows = config.kafka().aggregatedTopic();
      String deadLetters = config.kafka().dlqTopic();

      Await.until(Duration.ofSeconds(20), "the first reading", () -> pending(registry, windows), n -> n == 3.0);
      double oldestWindow = oldest(registry, windows);
      assertEquals(600, oldestWindow, 5, "the oldest window queued 10 minutes ago");
      assertEquals(2.0, pending(registry, deadLetters), "unpublished dead letters only");
      assertEquals(1200, oldest(registry, deadLetters), 5, "the oldest dead letter failed 20 minutes ago");

      infra.sql(database, "DELETE FROM aggregated_outbox");
      infra.sql(database, "UPDATE dead_letter_events SET published = true");
      Await.until(Duration.ofSeconds(30), "an empty outbox read as 0", () -> pending(registry, windows),
          n -> n == 0.0);
      assertEquals(0.0, oldest(registry, windows));
      Await.until(Duration.ofSeconds(30), "no dead letter waiting", () -> pending(registry, deadLetters),
          n -> n == 0.0);
      assertEquals(0.0, oldest(registry, deadLetters));

      infra.cutOff(database);
      try {
        Await.until(Duration.ofSeconds(40), "unknown while PostgreSQL is unreachable",
            () -> pending(registry, windows), n -> n.isNaN());
        assertEquals(Double.NaN, oldest(registry, deadLetters));
      } finally {
        infra.reconnect(database);
      }
      Await.until(Duration.ofSeconds(40), "figures again once it answers", () -> pending(registry, windows),
          n -> n == 0.0);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static double pending(SimpleMeterRegistry registry, String topic) {
    return gauge(registry, "stream_pipeline_outbox_pending", topic);
  }

  private static double oldest(SimpleMeterRegistry registry, String topic) {
    return gauge(registry, "stream_pipeline_outbox_oldest_seconds", topic);
  }

  /** NaN until the gauge exists (no reading yet). */
  private static double gauge(SimpleMeterRegistry registry, String name, String topic) {
    var gauge = registry.find(name).tag("topic", topic).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }
}
