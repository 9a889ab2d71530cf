package io.streampipeline.dashboard;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers /health (docs/design.md#endpoints): asks Kafka for its brokers and PostgreSQL for {@code SELECT 1}, each with a
 * {@value #TIMEOUT_MS} ms limit, and reports {@code {"status":"UP"|"DOWN","checks":{"kafka":...,
 * "postgres":...}}} where a check is "UP" or "DOWN: " and a short, fixed description. UP (HTTP 200) only when
 * both answer.
 *
 * <p>{@link #current()} runs at most one real check per {@value #CACHE_MS} ms, however many callers ask (a
 * probe flood does not become a database and broker flood); callers that arrive while a check runs share it.
 * What went wrong in detail (driver messages, addresses) goes to the log when a part changes state, never
 * into the answer. Not thread-safe: used on the verticle's event loop.
 */
public final class HealthCheck {
  private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);
  static final long TIMEOUT_MS = 3_000;
  static final long CACHE_MS = 1_000;
  static final String NO_ANSWER = "DOWN: no answer within " + TIMEOUT_MS / 1000 + " s";
  static final String UNREACHABLE = "DOWN: not reachable (details in the log)";

  private final Supplier<Future<?>> kafkaProbe;
  private final Supplier<Future<?>> postgresProbe;
  private final LongSupplier clock;
  private Future<Report> running;
  private Report last;
  private long lastAt;

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

  /**
   * @param kafkaProbe    succeeds when Kafka answers (it should give up by itself after {@value #TIMEOUT_MS} ms)
   * @param postgresProbe the same for PostgreSQL
   */
  HealthCheck(Supplier<Future<?>> kafkaProbe, Supplier<Future<?>> postgresProbe, LongSupplier clock) {
    this.kafkaProbe = kafkaProbe;
    this.postgresProbe = postgresProbe;
    this.clock = clock;
  }

  public static HealthCheck of(KafkaAdminClient admin, Pool pool) {
    return new HealthCheck(
        () -> admin.describeCluster().timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).map(cluster -> {
          if (cluster.getNodes() == null || cluster.getNodes().isEmpty()) {
            throw new IllegalStateException("no broker in the cluster");
          }
          return null;
        }),
        () -> pool.query("SELECT 1").execute().timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS),
        System::currentTimeMillis);
  }

  /** The last report when it is younger than {@value #CACHE_MS} ms, else a new check (shared while it runs). */
  public Future<Report> current() {
    if (last != null && clock.getAsLong() - lastAt < CACHE_MS) {
      return Future.succeededFuture(last);
    }
    if (running == null) {
      running = run().andThen(ar -> {
        running = null;
        if (ar.succeeded()) {
          last = ar.result();
          lastAt = clock.getAsLong();
        }
      });
    }
    return running;
  }

  /** One real check of both parts, uncached. */
  Future<Report> run() {
    Future<String> kafka = outcome("kafka", kafkaProbe);
    Future<String> postgres = outcome("postgres", postgresProbe);
    // Both outcomes always succeed (a failure becomes "DOWN: ...").
    return Future.all(kafka, postgres).map(v -> {
      Report report = new Report(kafka.result(), postgres.result());
      logChanges(report);
      return report;
    });
  }

  private Future<String> outcome(String part, Supplier<Future<?>> probe) {
    Promise<String> result = Promise.promise();
    Future<?> attempt;
    try {
      attempt = probe.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt.onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete("UP");
      } else {
        Throwable e = ar.cause();
        String shown = e instanceof TimeoutException ? NO_ANSWER : UNREACHABLE;
        if (last == null || "UP".equals(part.equals("kafka") ? last.kafka() : last.postgres())) {
          log.warn("health: {} is down: {}", part, e.toString());
        }
        result.complete(shown);
      }
    });
    return result.future();
  }

  private void logChanges(Report report) {
    if (last == null) {
      return;
    }
    if (!"UP".equals(last.kafka()) && "UP".equals(report.kafka())) {
      log.info("health: kafka is up again");
    }
    if (!"UP".equals(last.postgres()) && "UP".equals(report.postgres())) {
      log.info("health: postgres is up again");
    }
  }
}
