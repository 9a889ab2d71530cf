package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.net.ServerSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** With nothing listening where Kafka and PostgreSQL should be, /health says DOWN for both, quickly, with why. */
@ExtendWith(VertxExtension.class)
class HealthCheckTest {

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void bothPartsDownAnswer503NamingEachWithinTheTimeLimit(Vertx vertx, VertxTestContext test) throws IOException {
    int nothing = unusedPort();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", "127.0.0.1:" + nothing,
        "request.timeout.ms", "3000", "default.api.timeout.ms", "5000"));
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(nothing).setDatabase("x").setUser("x")
            .setPassword("x"))
        .using(vertx).build();
    long started = System.nanoTime();
    HealthCheck.of(admin, pool).current().onComplete(test.succeeding(report -> test.verify(() -> {
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(503, report.httpStatus());
      JsonObject json = report.json();
      assertEquals("DOWN", json.getString("status"));
      String kafka = json.getJsonObject("checks").getString("kafka");
      String postgres = json.getJsonObject("checks").getString("postgres");
      assertTrue(kafka.startsWith("DOWN: ") && kafka.length() > 6, kafka);
      assertTrue(postgres.startsWith("DOWN: ") && postgres.length() > 6, postgres);
      // Driver messages (addresses, ports, exception names) stay in the log.
      assertFalse(kafka.contains(String.valueOf(nothing)) || postgres.contains(String.valueOf(nothing)), json.encode());
      assertFalse(kafka.contains("Exception") || postgres.contains("Exception"), json.encode());
      assertTrue(tookMs < HealthCheck.TIMEOUT_MS + 2000, "answered in " + tookMs + " ms");
      admin.close();
      pool.close();
      test.completeNow();
    })));
  }

  @Test
  void upOnlyWhenBothAreUp() {
    assertEquals(200, new HealthCheck.Report("UP", "UP").httpStatus());
    assertEquals(new JsonObject("{\"status\":\"UP\",\"checks\":{\"kafka\":\"UP\",\"postgres\":\"UP\"}}"),
        new HealthCheck.Report("UP", "UP").json());
    assertEquals(503, new HealthCheck.Report("UP", "DOWN: connection refused").httpStatus());
    assertEquals("DOWN", new HealthCheck.Report("DOWN: no answer within 3000 ms", "UP").json().getString("status"));
  }

  @Test
  void atMostOneRealCheckPerSecondHoweverManyAsk() {
    AtomicLong now = new AtomicLong(1_000_000);
    AtomicInteger kafkaCalls = new AtomicInteger();
    AtomicInteger postgresCalls = new AtomicInteger();
    Promise<Void> slowPostgres = Promise.promise();
    HealthCheck health = new HealthCheck(() -> {
      kafkaCalls.incrementAndGet();
      return Future.succeededFuture();
    }, () -> {
      postgresCalls.incrementAndGet();
      return postgresCalls.get() == 1 ? slowPostgres.future() : Future.failedFuture(new IllegalStateException(
          "FATAL: password authentication failed for user \"pipeline\" at 10.0.0.7:5432"));
    }, now::get);

    List<Future<HealthCheck.Report>> waiting = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      waiting.add(health.current());
    }
    assertEquals(1, postgresCalls.get(), "callers during a running check share it");
    slowPostgres.complete();
    waiting.forEach(f -> assertEquals(200, f.result().httpStatus()));
    for (int i = 0; i < 100; i++) {
      now.addAndGet(5);
      assertEquals(200, health.current().result().httpStatus());
    }
    assertEquals(1, kafkaCalls.get(), "answered from the cache within a second");
    now.addAndGet(HealthCheck.CACHE_MS);
    HealthCheck.Report down = health.current().result();
    assertEquals(2, postgresCalls.get());
    assertEquals("UP", down.kafka());
    assertEquals(HealthCheck.UNREACHABLE, down.postgres(), "no internal error text in the answer");
    assertEquals(503, down.httpStatus());
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
