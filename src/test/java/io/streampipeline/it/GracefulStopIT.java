package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.LiveTraffic;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.config.PipelineConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM under live traffic, three times: each run drains, checkpoints, commits and exits promptly (frequent
 * flush timers and checkpoint results keep arriving while it closes), and across the runs every valid event is
 * stored exactly once.
 */
class GracefulStopIT {

  @Test
  void stopsPromptlyUnderTrafficAndLosesNothing() throws Exception {
    ItPipeline it = ItPipeline.create("graceful", Map.of("SINK_FLUSH_INTERVAL_SECONDS", "0.1"));
    TestInfra infra = it.infra();
    Map<String, String> env = it.settings();
    PipelineConfig config = it.config();
    Db db = it.db();

    try (LiveTraffic traffic = new LiveTraffic(infra.bootstrapServers, config.kafka().clickstreamTopic(), 3L, 800)) {
      for (int run = 1; run <= 3; run++) {
        long before = db.count("SELECT count(*) FROM clickstream_events");
        try (PipelineProcess process = PipelineProcess.start(env)) {
          Await.until(Duration.ofSeconds(90), "progress in run " + run,
              () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n > before + 500);
          long started = System.nanoTime();
          process.terminate(30);
          assertTrue(process.output().contains("stopped"), process.output());
          System.out.println("[GracefulStopIT] run " + run + " stopped in "
              + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        }
      }
      traffic.stop();
      try (PipelineProcess last = PipelineProcess.start(env)) {
        Set<String> valid = traffic.validEventIds();
        Await.until(Duration.ofSeconds(90), "every event stored",
            () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == valid.size());
        assertEquals(valid, db.rows("SELECT event_id FROM clickstream_events").stream()
            .map(r -> (String) r.get("event_id")).collect(Collectors.toSet()));
        last.terminate(30);
      }
    }
  }
}
