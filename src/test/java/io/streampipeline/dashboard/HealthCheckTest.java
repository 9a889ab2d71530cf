package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
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
    new HealthCheck(admin, pool).run().onComplete(test.succeeding(report -> test.verify(() -> {
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(503, report.httpStatus());
      JsonObject json = report.json();
      assertEquals("DOWN", json.getString("status"));
      String kafka = json.getJsonObject("checks").getString("kafka");
      String postgres = json.getJsonObject("checks").getString("postgres");
      assertTrue(kafka.startsWith("DOWN: ") && kafka.length() > 6, kafka);
      assertTrue(postgres.startsWith("DOWN: ") && postgres.length() > 6, postgres);
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

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
