package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.EventTimes;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.LiveTraffic;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exactly once under failure, with steady traffic into a pipeline started first, event times near the wall clock
 * and hours behind it, and small windows so that many windows and sessions close during the run: the jar killed
 * with SIGKILL again and again (and stopped gracefully at the end), processes joining and leaving the group, and
 * PostgreSQL restarted. Afterwards every valid event is stored once, every bad one dead-lettered once, and every
 * closed window and session equals SQL over the stored events, one row per window_id.
 */
class ExactlyOnceIT {

  /** Short windows and sessions, so that live traffic closes many of them. */
  private static final Map<String, String> LIVE = Map.of("WINDOW_TUMBLING_WINDOW_SECONDS", "5",
      "WINDOW_REVENUE_WINDOW_SECONDS", "10", "WINDOW_SESSION_TIMEOUT_SECONDS", "5",
      "WINDOW_ALLOWED_LATENESS_SECONDS", "1", "WINDOW_IDLE_SECONDS", "2");

  private static void assertExact(Db db, PipelineConfig config, LiveTraffic traffic) {
    Set<String> valid = traffic.validEventIds();
    long bad = traffic.badCount();
    Await.until(Duration.ofSeconds(120), "every event stored and dead letter written",
        () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
            + db.count("SELECT count(*) FROM dead_letter_events"),
        counts -> counts.equals(valid.size() + "/" + bad));
    Set<String> stored = db.rows("SELECT event_id FROM clickstream_events").stream()
        .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
    assertEquals(valid, stored, "exactly the valid events, once each");
    WindowChecks.Compared compared = WindowChecks.awaitAllExact(db, config, valid.size());
    System.out.println("[ExactlyOnceIT] " + valid.size() + " events, windows exact: " + compared);
  }

  private static long rows(Db db) {
    return db.count("SELECT count(*) FROM clickstream_events");
  }

  @ParameterizedTest
  @EnumSource(EventTimes.class)
  void crashLoopWithKillNine(EventTimes times) throws Exception {
    ItPipeline it = ItPipeline.create("crashloop", LIVE);
    TestInfra infra = it.infra();
    Map<String, String> env = it.settings();
    PipelineConfig config = it.config();
    Db db = it.db();
    Random random = new Random(5);

    PipelineProcess process = PipelineProcess.start(env);
    try {
      EventTimes.awaitReadyAndWaiting(env);
      try (LiveTraffic traffic = new LiveTraffic(infra.bootstrapServers, config.kafka().clickstreamTopic(), 99L, 600,
          times)) {
        for (int kill = 1; kill <= 5; kill++) {
          long before = rows(db);
          Await.until(Duration.ofSeconds(90), "progress before kill " + kill, () -> rows(db), n -> n > before);
          Await.sleep(random.nextInt(3000));
          process.kill();
          process.close();
          process = PipelineProcess.start(env);
        }
        Await.until(Duration.ofSeconds(90), "progress after the last restart", () -> rows(db), n -> n > 0);
        Await.sleep(3000);
        traffic.stop();
        assertExact(db, config, traffic);
        int exit = process.terminate(60);
        assertTrue(exit == 0 || exit == 143, "graceful stop on SIGTERM (143 = by signal), was " + exit);
        assertTrue(process.output().contains("stopped"), process.output());
      }
    } finally {
      process.close();
    }
  }

  @ParameterizedTest
  @EnumSource(EventTimes.class)
  void processesJoinAndLeaveTheGroup(EventTimes times) throws Exception {
    ItPipeline it = ItPipeline.create("rebalance", LIVE);
    TestInfra infra = it.infra();
    Map<String, String> env = it.settings();
    PipelineConfig config = it.config();
    Db db = it.db();
    List<PipelineProcess> processes = new ArrayList<>();

    try {
      processes.add(PipelineProcess.start(env));
      EventTimes.awaitReadyAndWaiting(env);
      try (LiveTraffic traffic = new LiveTraffic(infra.bootstrapServers, config.kafka().clickstreamTopic(), 7L, 600,
          times)) {
        for (int i = 1; i <= 3; i++) {
          long before = rows(db);
          if (i > 1) {
            Map<String, String> processEnv = new HashMap<>(env);
            processEnv.put("METRICS_PORT", String.valueOf(Ports.free()));
            processes.add(PipelineProcess.start(processEnv));
          }
          Await.until(Duration.ofSeconds(90), "progress with " + i + " processes", () -> rows(db),
              n -> n > before + 1000);
        }
        long before = rows(db);
        processes.remove(1).terminate(60);
        Await.until(Duration.ofSeconds(90), "progress after one left", () -> rows(db), n -> n > before + 1000);
        traffic.stop();
        assertExact(db, config, traffic);
      }
    } finally {
      for (PipelineProcess p : processes) {
        p.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(EventTimes.class)
  void postgresRestartMidRun(EventTimes times) throws Exception {
    ItPipeline it = ItPipeline.create("pgrestart", LIVE);
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();

    Application app = new Application(config).start();
    try {
      EventTimes.awaitReadingAndWaiting(app, config);
      try (LiveTraffic traffic = new LiveTraffic(infra.bootstrapServers, config.kafka().clickstreamTopic(), 11L, 600,
          times)) {
        Await.until(Duration.ofSeconds(60), "progress before the restart", () -> rows(db), n -> n > 2000);
        infra.restartPostgres();
        long after = rows(db);
        Await.until(Duration.ofSeconds(60), "progress after the restart", () -> rows(db), n -> n > after + 2000);
        traffic.stop();
        assertExact(db, config, traffic);
      }
    } finally {
      app.stop();
    }
  }
}
