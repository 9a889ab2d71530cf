package io.streampipeline.it;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.infra.Ports;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: the jar with no Kafka or PostgreSQL address starts both embedded, generates,
 * processes and stores; stopped with SIGTERM and started again on the same data directory, it continues.
 */
class ZeroSetupIT {

  private static long count(int pgPort, String sql) {
    try (Connection conn = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/pipeline",
        "pipeline", "pipeline"); ResultSet rs = conn.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String scrape(int port) {
    return Http.get("http://127.0.0.1:" + port + "/metrics").body();
  }

  @Test
  void runsWithNothingButAJdkAndContinuesAfterARestart(@TempDir Path dataDir) throws Exception {
    int pgPort = Ports.free();
    int metricsPort = Ports.free();
    Map<String, String> env = Map.of("DATA_DIR", dataDir.toString(),
        "EMBEDDED_KAFKA_PORT", String.valueOf(Ports.free()),
        "EMBEDDED_POSTGRES_PORT", String.valueOf(pgPort),
        "DASHBOARD_PORT", String.valueOf(Ports.free()),
        "METRICS_PORT", String.valueOf(metricsPort),
        "EVENTBUS_TCP_PORT", String.valueOf(Ports.free()),
        "PRODUCER_EVENTS_PER_SECOND", "1000",
        "PRODUCER_MAX_EVENTS", "3000",
        "SINK_FLUSH_INTERVAL_SECONDS", "1");
    double bots;
    try (PipelineProcess first = PipelineProcess.start(env)) {
      Await.until(Duration.ofSeconds(120), "generated events stored in the embedded PostgreSQL",
          () -> count(pgPort, "SELECT count(*) FROM clickstream_events"), n -> n >= 2800);
      String log = first.output();
      assertTrue(log.contains("Embedded Kafka broker (KRaft) listening on 127.0.0.1:"), log);
      assertTrue(log.contains("Embedded PostgreSQL listening on 127.0.0.1:" + pgPort), log);
      Await.until(Duration.ofSeconds(30), "all 3000 produced and consumed", () -> scrape(metricsPort),
          text -> text.contains("stream_pipeline_events_produced_total 3000.0") && consumed(text) == 3000);
      bots = metric(Await.until(Duration.ofSeconds(30), "a metrics scrape", () -> scrape(metricsPort),
          text -> !text.isEmpty()), "stream_pipeline_events_filtered_total{reason=\"bot\"}");
      assertTrue(count(pgPort, "SELECT count(*) FROM dead_letter_events") > 0, "bad input dead-lettered");
      first.terminate(90);
      assertTrue(first.output().contains("stopped"), first.output());
    }
    int secondMetrics = Ports.free();
    try (PipelineProcess second = PipelineProcess.start(Map.of("DATA_DIR", dataDir.toString(),
        "EMBEDDED_KAFKA_PORT", String.valueOf(Ports.free()), "EMBEDDED_POSTGRES_PORT", String.valueOf(pgPort),
        "DASHBOARD_PORT", String.valueOf(Ports.free()), "METRICS_PORT", String.valueOf(secondMetrics),
        "ROLES", "pipeline"))) {
      Await.until(Duration.ofSeconds(120), "the second run restored its checkpoints", second::output,
          log -> log.contains("restored partitions at offsets"));
      assertTrue(!second.output().contains("=-1"), "every partition resumed from a stored offset:\n"
          + second.output());
      long stored = count(pgPort, "SELECT count(*) FROM clickstream_events");
      long dead = count(pgPort, "SELECT count(*) FROM dead_letter_events");
      assertEquals(3000, stored + dead + (long) bots, "every generated event stored, dead-lettered or a bot");
      Await.sleep(3000);
      String metrics = Await.until(Duration.ofSeconds(30), "a metrics scrape", () -> scrape(secondMetrics),
          text -> !text.isEmpty());
      assertEquals(0, consumed(metrics), "nothing re-read: the offsets survived the restart");
      second.terminate(90);
    }
  }

  private static long consumed(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("stream_pipeline_events_consumed_total{"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double metric(String metrics, String series) {
    return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l ->
        Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
  }
}
