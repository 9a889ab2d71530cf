package io.streampipeline.it;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.infra.Ports;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while the process is still starting (here: the embedded PostgreSQL is coming up) stops it the
 * graceful way: the shutdown hook is registered before start-up, waits for the current step and undoes what
 * started, so no embedded database is left running behind a dead JVM.
 */
class StopDuringStartIT {

  @Test
  void sigtermDuringStartUpStopsWhatStarted(@TempDir Path dataDir) throws Exception {
    int pgPort = Ports.free();
    Map<String, String> env = Map.of("DATA_DIR", dataDir.toString(),
        "EMBEDDED_KAFKA_PORT", String.valueOf(Ports.free()),
        "EMBEDDED_POSTGRES_PORT", String.valueOf(pgPort),
        "DASHBOARD_PORT", String.valueOf(Ports.free()),
        "METRICS_PORT", String.valueOf(Ports.free()));
    try (PipelineProcess process = PipelineProcess.start(env)) {
      Await.until(Duration.ofSeconds(120), "the embedded broker up (start-up under way)", process::output,
          out -> out.contains("Embedded Kafka broker (KRaft) listening"));
      process.terminate(120);
      String output = process.output();
      assertTrue(output.contains("stopped"), "the shutdown hook ran:\n" + output);
      assertFalse(output.contains("failed to start"), output);
    }
    assertFalse(listening(pgPort), "the embedded PostgreSQL was stopped with the process");
  }

  private static boolean listening(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
