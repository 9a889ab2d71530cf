package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.RequiredTool;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files against the real thing: promtool accepts monitoring/alerts.yml and its unit tests
 * (monitoring/alerts-test.yml) pass; the Debian prometheus binary, started with monitoring/prometheus.yml
 * pointed at a running pipeline's METRICS_PORT, scrapes it (up == 1, events consumed rising, lag per partition
 * and the end-to-end latency histogram present), loads the alert rules, and runs every Grafana panel query.
 * Missing binaries fail the test with what to install.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PrometheusIT {
  private static final Path MONITORING = Path.of("monitoring");

  @Test
  void alertRulesAndConfigsPassPromtool(@TempDir Path dir) throws IOException {
    String promtool = executable("promtool");
    assertPromtool(promtool, "check", "rules", MONITORING.resolve("alerts.yml").toString());
    assertPromtool(promtool, "test", "rules", MONITORING.resolve("alerts-test.yml").toString());
    assertPromtool(promtool, "check", "config", MONITORING.resolve("prometheus.yml").toString());
    // The compose file names the rules where the container mounts them; point that at this checkout.
    Path compose = dir.resolve("prometheus-compose.yml");
    Files.writeString(compose, replace(Files.readString(MONITORING.resolve("prometheus-compose.yml")),
        "/etc/prometheus/alerts.yml", MONITORING.resolve("alerts.yml").toAbsolutePath().toString()));
    assertPromtool(promtool, "check", "config", compose.toString());
  }

  @Test
  void prometheusScrapesTheRunningPipeline(@TempDir Path dir) throws Exception {
    String prometheus = executable("prometheus");
    ItPipeline it = ItPipeline.create("prometheus", Map.of("ROLES", "generator,pipeline", "PRODUCER_EVENTS_PER_SECOND", "200"));
    PipelineConfig config = it.config();
    Application app = new Application(config).start();
    Process server = null;
    try {
      String metrics = Http.get("http://127.0.0.1:" + config.metricsPort() + "/metrics").body();
      assertTrue(metrics.contains("stream_pipeline_end_to_end_latency_seconds_bucket{"), "latency histogram");
      Await.until(Duration.ofSeconds(30), "consumer lag per partition in /metrics",
          () -> Http.get("http://127.0.0.1:" + config.metricsPort() + "/metrics").body(),
          body -> body.contains("stream_pipeline_consumer_lag{partition=\"5\"}"));

      int port = Ports.free();
      Path configFile = localConfig(dir, config.metricsPort());
      Path log = Path.of("target", "prometheus-it.log");
      server = new ProcessBuilder(prometheus, "--config.file=" + configFile,
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      String api = "http://127.0.0.1:" + port + "/api/v1/";

      Await.until(Duration.ofSeconds(60), "Prometheus to scrape the pipeline (up == 1)",
          () -> query(api, "up{job=\"stream-pipeline\"}"), r -> r.size() == 1 && value(r, 0) == 1.0);
      double first = Await.until(Duration.ofSeconds(30), "events consumed in Prometheus",
          () -> value(query(api, "sum(stream_pipeline_events_consumed_total{job=\"stream-pipeline\"})"), 0),
          v -> v > 0);
      Await.until(Duration.ofSeconds(30), "events consumed rising",
          () -> value(query(api, "sum(stream_pipeline_events_consumed_total{job=\"stream-pipeline\"})"), 0),
          v -> v > first);
      assertEquals(Topics.EVENT_PARTITIONS, query(api, "stream_pipeline_consumer_lag{job=\"stream-pipeline\"}").size(),
          "lag of every partition");
      Await.until(Duration.ofSeconds(30), "a p99 end-to-end latency from the histogram",
          () -> query(api, "histogram_quantile(0.99, sum by (le) (rate("
              + "stream_pipeline_end_to_end_latency_seconds_bucket{job=\"stream-pipeline\"}[15s])))"),
          r -> r.size() == 1 && value(r, 0) > 0 && value(r, 0) < 60);

      Await.until(Duration.ofSeconds(30), "the outbox backlog of both topics, read from PostgreSQL",
          () -> query(api, "stream_pipeline_outbox_oldest_seconds{job=\"stream-pipeline\"} >= 0"),
          r -> r.size() == 2);

      List<JsonObject> rules = Await.until(Duration.ofSeconds(30), "every alert rule loaded and evaluated",
          () -> rules(api), r -> !r.isEmpty() && r.stream().allMatch(rule -> "ok".equals(rule.getString("health"))));
      long written = Files.readString(MONITORING.resolve("alerts.yml")).lines()
          .filter(line -> line.strip().startsWith("- alert:")).count();
      assertEquals(written, rules.size(), "every rule of alerts.yml");
      for (JsonObject rule : rules) {
        if (!List.of("StreamPipelineNoLanes", "StreamPipelineDown").contains(rule.getString("name"))) {
          continue;
        }
        assertEquals("inactive", rule.getString("state"), rule.getString("name") + " while everything runs");
      }
      assertGrafanaQueriesRun(api);
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      app.stop();
    }
  }

  /** monitoring/prometheus.yml with the target moved to this test's port, 1 s intervals and absolute rule path. */
  private static Path localConfig(Path dir, int metricsPort) throws IOException {
    String yaml = Files.readString(MONITORING.resolve("prometheus.yml"));
    yaml = replace(yaml, "\"localhost:9090\"", "\"127.0.0.1:" + metricsPort + "\"");
    yaml = replace(yaml, "scrape_interval: 5s", "scrape_interval: 1s");
    yaml = replace(yaml, "scrape_timeout: 4s", "scrape_timeout: 1s");
    yaml = replace(yaml, "evaluation_interval: 15s", "evaluation_interval: 1s");
    yaml = replace(yaml, "- alerts.yml", "- " + MONITORING.resolve("alerts.yml").toAbsolutePath());
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Every query of the Grafana dashboard is valid PromQL that Prometheus runs without error. */
  private static void assertGrafanaQueriesRun(String api) throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(
        MONITORING.resolve("grafana/dashboards/stream-pipeline.json")));
    List<String> failures = new ArrayList<>();
    int queries = 0;
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        String expr = ((JsonObject) target).getString("expr").replace("$role", ".*");
        JsonObject answer = new JsonObject(Http.get(api + "query?query=" + encode(expr)).body());
        queries++;
        if (!"success".equals(answer.getString("status"))) {
          failures.add(expr + ": " + answer.getString("error"));
        }
      }
    }
    assertTrue(queries > 20, "the dashboard has its queries");
    assertEquals(List.of(), failures);
  }

  private static JsonArray query(String api, String promql) {
    JsonObject answer = new JsonObject(Http.get(api + "query?query=" + encode(promql)).body());
    if (!"success".equals(answer.getString("status"))) {
      throw new IllegalStateException(promql + ": " + answer.encode());
    }
    return answer.getJsonObject("data").getJsonArray("result");
  }

  private static double value(JsonArray result, int i) {
    return result.size() <= i ? Double.NaN
        : Double.parseDouble(result.getJsonObject(i).getJsonArray("value").getString(1));
  }

  private static List<JsonObject> rules(String api) {
    List<JsonObject> rules = new ArrayList<>();
    JsonObject answer = new JsonObject(Http.get(api + "rules").body());
    for (Object group : answer.getJsonObject("data").getJsonArray("groups")) {
      ((JsonObject) group).getJsonArray("rules").forEach(r -> rules.add((JsonObject) r));
    }
    return rules;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String replace(String text, String what, String with) {
    assertTrue(text.contains(what), "expected '" + what + "' in the monitoring file");
    return text.replace(what, with);
  }

  private static void assertPromtool(String promtool, String... args) {
    List<String> command = new ArrayList<>(List.of(promtool));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within 60 s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
      assertTrue(output.contains("SUCCESS"), output);
    } catch (IOException e) {
      fail("cannot run " + command + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }

  private static String executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    Path debian = Path.of("/usr/bin", name);
    if (Files.isExecutable(debian)) {
      return debian.toString();
    }
    return RequiredTool.missing(name + " not found on PATH: install the Debian package prometheus (it has promtool; "
        + ".ci/run installs it)");
  }
}
