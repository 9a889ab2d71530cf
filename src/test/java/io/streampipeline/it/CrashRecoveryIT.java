package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.app.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The jar as a separate process, started before its producer, killed with SIGKILL in the middle of a run and
 * started again: no valid event is missing and none is stored twice, every bad one is dead-lettered once, and
 * every window and session equals what the stored events make, with event times near the wall clock and hours
 * behind it.
 */
class CrashRecoveryIT {

  @ParameterizedTest
  @EnumSource(EventTimes.class)
  void killNineMidRunLosesAndDuplicatesNothing(EventTimes times) throws Exception {
    ItPipeline it = ItPipeline.create("crash", EventTimes.QUICK_CLOSE);
    TestInfra infra = it.infra();
    Map<String, String> env = it.settings();
    PipelineConfig config = it.config();
    Db db = it.db();
    EventTimes.Feed feed;
    try (PipelineProcess first = PipelineProcess.start(env)) {
      EventTimes.awaitReadyAndWaiting(env);
      feed = times.produce(infra.bootstrapServers, config.clickstreamTopic(), 4242L, 30_000, 0.03, 40, 1000, 150);
      Await.until(Duration.ofSeconds(90), "some rows written by the first process",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n >= 5000);
      first.kill();
    }
    long afterKill = db.count("SELECT count(*) FROM clickstream_events");

    try (PipelineProcess second = PipelineProcess.start(env)) {
      List<GeneratedMessage> messages = feed.all();
      Set<String> expected = messages.stream().filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId())
          .collect(Collectors.toSet());
      long expectedBad = messages.stream().filter(m -> m.kind() == Kind.INVALID || m.kind() == Kind.UNDECODABLE)
          .count();
      assertTrue(afterKill < expected.size(), "killed mid-run (" + afterKill + " of " + expected.size() + ")");
      Await.until(Duration.ofSeconds(120), "all rows after the restart",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals(expected.size() + "/" + expectedBad));
      Set<String> stored = db.rows("SELECT event_id FROM clickstream_events").stream()
          .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
      assertEquals(expected, stored);
      WindowChecks.awaitAllEmitted(db, expected.size());
      WindowChecks.assertTumblingExact(db, config.tumblingWindowMs(), config.revenueWindowMs());
      WindowChecks.assertSessionsExact(db, config.sessionTimeoutMs());
      int exit = second.terminate(60);
      assertTrue(exit == 0 || exit == 143, "graceful stop on SIGTERM (143 = by signal), was " + exit);
      assertTrue(second.output().contains("stopped"), second.output());
    }
  }
}
