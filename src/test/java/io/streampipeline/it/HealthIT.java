package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.infra.Topics;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * /health/live and /health/ready on METRICS_PORT, over HTTP, for each role run alone as the real jar; and the
 * pipeline's readiness staying UP through a PostgreSQL outage, which it rides out by design.
 */
class HealthIT {
  private final TestInfra infra = TestInfra.get();

  private static String probe(Map<String, String> env, String path) {
    return "http://127.0.0.1:" + env.get("METRICS_PORT") + path;
  }

  private static Http.Response awaitStatus(PipelineProcess process, String url, int status) {
    return Await.until(Duration.ofSeconds(120), url + " answering " + status, () -> {
      if (!process.alive()) {
        throw new AssertionError("the process exited:\n" + process.output());
      }
      try {
        return Http.get(url);
      } catch (IllegalStateException notListeningYet) {
        return new Http.Response(0, "", "");
      }
    }, r -> r.status() == status);
  }

  private Map<String, String> roleConfig(String role) {
    String database = infra.createDatabase();
    Map<String, String> env = infra.pipelineConfig(database, "health-" + role);
    env.put("ROLES", role);
    env.put("PRODUCER_EVENTS_PER_SECOND", "20");
    Topics.ensure(infra.bootstrapServers, ConfigLoader.fromMap(env));
    return env;
  }

  private void assertLiveAndReady(String role, String... readyChecks) throws Exception {
    Map<String, String> env = roleConfig(role);
    try (PipelineProcess process = PipelineProcess.start(env)) {
      Http.Response live = awaitStatus(process, probe(env, "/health/live"), 200);
      JsonObject liveJson = new JsonObject(live.body());
      assertEquals("UP", liveJson.getString("status"), live.body());
      assertTrue(liveJson.getJsonObject("checks").getString("event_loops").startsWith("UP"), live.body());
      assertTrue(live.contentType().startsWith("application/json"), live.contentType());

      Http.Response ready = awaitStatus(process, probe(env, "/health/ready"), 200);
      JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
      assertEquals(Map.of(), checks.getMap().entrySet().stream().filter(e -> !e.getValue().toString().startsWith("UP"))
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), ready.body());
      assertEquals(java.util.Set.of(readyChecks), checks.fieldNames(), ready.body());
      assertEquals(200, Http.get(probe(env, "/metrics")).status());
      process.terminate(60);
    }
  }

  @Test
  void generatorAnswersLiveAndReady() throws Exception {
    assertLiveAndReady("generator", "kafka");
  }

  @Test
  void dashboardAnswersLiveAndReady() throws Exception {
    assertLiveAndReady("dashboard", "kafka");
  }

  @Test
  void pipelineIsReadyOnceItsLanesHoldRestoredPartitions() throws Exception {
    assertLiveAndReady("pipeline", "kafka", "lanes");
  }

  @Test
  void pipelineStaysLiveAndReadyWhilePostgresIsDown() throws Exception {
    Map<String, String> env = roleConfig("pipeline");
    String database = env.get("POSTGRES_DATABASE");
    try (PipelineProcess process = PipelineProcess.start(env)) {
      Http.Response ready = awaitStatus(process, probe(env, "/health/ready"), 200);
      assertTrue(new JsonObject(ready.body()).getJsonObject("checks").getString("lanes")
          .contains("partitions [0, 1, 2, 3, 4, 5] assigned and restored"), ready.body());

      infra.cutOff(database);
      try {
        // Wait for a readiness check that saw the outage, then look at what it answered.
        Http.Response during = Await.until(Duration.ofSeconds(60), "readiness noticing the outage",
            () -> Http.get(probe(env, "/health/ready")),
            r -> new JsonObject(r.body()).getJsonObject("info").getString("postgres").startsWith("DOWN"));
        assertEquals(200, during.status(), during.body());
        assertEquals("UP", new JsonObject(during.body()).getString("status"), during.body());
        assertEquals(200, Http.get(probe(env, "/health/live")).status());
      } finally {
        infra.reconnect(database);
      }
      Http.Response after = Await.until(Duration.ofSeconds(60), "PostgreSQL seen again",
          () -> Http.get(probe(env, "/health/ready")),
          r -> "UP".equals(new JsonObject(r.body()).getJsonObject("info").getString("postgres")));
      assertEquals(200, after.status(), after.body());
      assertFalse(process.output().contains("Exception in thread"), process.output());
      process.terminate(60);
    }
  }
}
