package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Incremental window state (docs/design.md#window-state-storage) with many open sessions: the checkpoints write
 * small deltas on a full snapshot instead of the whole state each time, and a restart rebuilt from the base and
 * its deltas continues exactly: every window and session of the whole run equals the figures SQL computes over
 * the stored events.
 */
class IncrementalStateIT {
  private static final long T0 = Instant.parse("2026-11-20T08:00:00Z").toEpochMilli();

  @Test
  void manySessionsAreCheckpointedAsDeltasAndARestartRestoresThemExactly() {
    // 4,000 users over 40 minutes of event time: thousands of sessions stay open across the restart.
    List<GeneratedMessage> messages = TestData.generate(7171L, 40_000, 0.02, T0, 60, 4_000);
    List<GeneratedMessage> first = messages.subList(0, 20_000);
    List<GeneratedMessage> second = messages.subList(20_000, messages.size());
    // No idle rule while the first half is read: the windows stay open until the restart.
    ItPipeline it = ItPipeline.create("incremental", Map.of("WINDOW_IDLE_SECONDS", "3600", "SINK_BATCH_SIZE", "400"));
    Db db = it.db();
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();

    // Most of the first half at once (the state builds up), the rest as live traffic: small checkpoints.
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), first.subList(0, 16_000));
    long validFirst = first.stream().filter(m -> m.kind() == Kind.VALID).count();
    long mostDeltas = 0;
    Application app = new Application(config).start();
    try {
      for (int from = 16_000; from < first.size(); from += 100) {
        TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), first.subList(from, from + 100));
        Await.sleep(100);
        mostDeltas = Math.max(mostDeltas, db.count("SELECT count(*) FROM pipeline_state_changes"));
      }
      Await.until(Duration.ofSeconds(120), "the first half stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == validFirst);
    } finally {
      app.stop();
    }
    long deltas = db.count("SELECT count(*) FROM pipeline_state_changes");
    long deltaBytes = db.count("SELECT coalesce(avg(length(changes))::bigint, 0) FROM pipeline_state_changes");
    long baseBytes = db.count("SELECT coalesce(avg(length(state_snapshot))::bigint, 0) FROM pipeline_checkpoints");
    System.out.printf("[IncrementalStateIT] up to %d deltas stored; at the restart %d (%d bytes on average), base "
        + "snapshots %d bytes on average%n", mostDeltas, deltas, deltaBytes, baseBytes);
    assertTrue(mostDeltas >= 6 && deltas > 0, "deltas are stored on the base snapshots");
    assertTrue(deltaBytes * 3 < baseBytes, "a delta is a fraction of the state: " + deltaBytes + " vs " + baseBytes);
    assertTrue(db.count("SELECT count(*) FROM pipeline_state_changes c JOIN pipeline_checkpoints p USING "
        + "(consumer_group, topic, partition) WHERE p.state_snapshot IS NULL") == 0, "every delta has its base");
    assertEquals(0, db.count("SELECT count(*) FROM pipeline_checkpoints p WHERE state_changes <> (SELECT count(*) "
        + "FROM pipeline_state_changes c WHERE (c.consumer_group, c.topic, c.partition) = (p.consumer_group, p.topic, "
        + "p.partition))"), "each checkpoint row counts the deltas stored on its base");
    assertTrue(db.count("SELECT max(state_changes) FROM pipeline_checkpoints") > 0);

    // The restart restores base + deltas; the second half is all in Kafka before it, so the wall-clock idle rule
    // closes everything, half-hour sessions included, once it is read.
    Map<String, String> settings = new HashMap<>(it.settings());
    settings.put("WINDOW_IDLE_SECONDS", "2");
    settings.put("WINDOW_IDLE_RULE", "wall-clock");
    PipelineConfig again = ConfigLoader.fromMap(settings);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), second);
    long valid = messages.stream().filter(m -> m.kind() == Kind.VALID).count();
    Application restarted = new Application(again).start();
    try {
      Await.until(Duration.ofSeconds(120), "all events stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == valid);
      WindowChecks.awaitAllEmitted(db, valid);
      int windows = WindowChecks.assertTumblingExact(db, again.windows().tumblingMs(), again.windows().revenueMs());
      int sessions = WindowChecks.assertSessionsExact(db, again.windows().sessionTimeoutMs());
      System.out.println("[IncrementalStateIT] " + windows + " tumbling windows and " + sessions
          + " sessions equal SQL after the restart");
      assertTrue(sessions > 3_000, "many sessions: " + sessions);
    } finally {
      restarted.stop();
    }
  }
}
