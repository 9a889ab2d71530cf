package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.app.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The jar as a separate process, killed with SIGKILL in the middle of a run and started again: no valid
 * event is missing and none is stored twice; every bad one is dead-lettered once.
 */
class CrashRecoveryIT {

  @Test
  void killNineMidRunLosesAndDuplicatesNothing() throws Exception {
    ItPipeline it = ItPipeline.create("crash");
    TestInfra infra = it.infra();
    Map<String, String> env = it.settings();
    PipelineConfig config = it.config();
    Db db = it.db();
    long t0 = Instant.parse("2026-11-22T12:00:00Z").toEpochMilli();
    List<GeneratedMessage> messages = TestData.generate(4242L, 30_000, 0.03, t0, 40);
    Set<String> expected = messages.stream().filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId())
        .collect(Collectors.toSet());
    long expectedBad = messages.stream().filter(m -> m.kind() == Kind.INVALID || m.kind() == Kind.UNDECODABLE)
        .count();

    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
      for (int from = 0; from < messages.size(); from += 1000) {
        TestData.send(infra.bootstrapServers, config.clickstreamTopic(),
            messages.subList(from, Math.min(messages.size(), from + 1000)));
        Await.sleep(150);
      }
    });
    try (PipelineProcess first = PipelineProcess.start(env)) {
      Await.until(Duration.ofSeconds(90), "some rows written by the first process",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n >= 5000);
      first.kill();
    }
    long afterKill = db.count("SELECT count(*) FROM clickstream_events");
    assertTrue(afterKill < expected.size(), "killed mid-run (" + afterKill + " of " + expected.size() + ")");

    try (PipelineProcess second = PipelineProcess.start(env)) {
      producing.get();
      Await.until(Duration.ofSeconds(120), "all rows after the restart",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals(expected.size() + "/" + expectedBad));
      Set<String> stored = db.rows("SELECT event_id FROM clickstream_events").stream()
          .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
      assertEquals(expected, stored);
      int exit = second.terminate(60);
      assertTrue(exit == 0 || exit == 143, "graceful stop on SIGTERM (143 = by signal), was " + exit);
      assertTrue(second.output().contains("stopped"), second.output());
    }
  }
}
