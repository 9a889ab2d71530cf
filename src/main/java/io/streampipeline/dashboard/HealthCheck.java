package io.streampipeline.dashboard;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers /health (docs/design.md#endpoints): asks Kafka for its brokers and PostgreSQL for {@code SELECT 1}, each with
 * a {@value #TIMEOUT_MS} ms limit, and reports {@code {"status":"UP"|"DOWN","checks":{"kafka":...,
 * "postgres":...}}} where a check is "UP" or "DOWN: " and why. UP (HTTP 200) only when both answer.
 */
public final class HealthCheck {
  static final long TIMEOUT_MS = 3_000;
  private static final int MAX_REASON = 200;

  private final KafkaAdminClient admin;
  private final Pool pool;

  /** The outcome of one check of both parts. */
  public record Report(String kafka, String postgres) {
    public boolean up() {
      return "UP".equals(kafka) && "UP".equals(postgres);
    }

    public int httpStatus() {
      return up() ? 200 : 503;
    }

    public JsonObject json() {
      return new JsonObject()
          .put("status", up() ? "UP" : "DOWN")
          .put("checks", new JsonObject().put("kafka", kafka).put("postgres", postgres));
    }
  }

  public HealthCheck(KafkaAdminClient admin, Pool pool) {
    this.admin = admin;
    this.pool = pool;
  }

  public Future<Report> run() {
    Future<String> kafka = outcome(admin.describeCluster().map(cluster -> {
      if (cluster.getNodes() == null || cluster.getNodes().isEmpty()) {
        throw new IllegalStateException("no broker in the cluster");
      }
      return null;
    }));
    Future<String> postgres = outcome(pool.query("SELECT 1").execute());
    // Both outcomes always succeed (a failure becomes "DOWN: why").
    return Future.all(kafka, postgres).map(v -> new Report(kafka.result(), postgres.result()));
  }

  private static Future<String> outcome(Future<?> probe) {
    return probe.timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(v -> "UP")
        .recover(e -> Future.succeededFuture("DOWN: " + reason(e)));
  }

  static String reason(Throwable e) {
    if (e instanceof TimeoutException) {
      return "no answer within " + TIMEOUT_MS + " ms";
    }
    String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
        : e.getMessage().lines().findFirst().orElse("").strip();
    return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON - 1) + "…";
  }
}
