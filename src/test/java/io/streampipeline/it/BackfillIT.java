package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.EventTimes;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Data produced into a pipeline that was started first and has been waiting, with event times hours behind
 * the wall clock, and live data that stops: the idle rule (docs/design.md#quiet-partitions) lets a quiet
 * partition's event time move only from where its own data stands, so a backfill is counted window for window,
 * a paused backfill loses exactly what the rule says, and live windows still close soon after traffic stops.
 */
class BackfillIT {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private static Application startedAndWaiting(PipelineConfig config) {
    Application app = new Application(config).start();
    EventTimes.awaitReadingAndWaiting(app, config);
    return app;
  }

  @Test
  void aBackfillHoursBehindTheWallClockIntoAWaitingPipelineIsCountedWindowForWindow() {
    Map<String, String> settings = new HashMap<>(EventTimes.QUICK_CLOSE);
    settings.put("WINDOW_TUMBLING_WINDOW_SECONDS", "60");
    settings.put("WINDOW_REVENUE_WINDOW_SECONDS", "300");
    ItPipeline it = ItPipeline.create("backfill", settings);
    PipelineConfig config = it.config();
    Db db = it.db();
    Application app = startedAndWaiting(config);
    try {
      // 6,000 events from four hours to one hour behind the wall clock, at about 1,000 events/s.
      List<GeneratedMessage> sent = EventTimes.HOURS_BEHIND.produce(it.infra().bootstrapServers,
          config.kafka().clickstreamTopic(), 20261207L, 6_000, 0.02, 1_800, 100, 100).all();
      long valid = sent.stream().filter(m -> m.kind() == Kind.VALID).count();
      Await.until(Duration.ofSeconds(90), "every valid event stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == valid);
      WindowChecks.Compared compared = WindowChecks.awaitAllExact(db, config, valid);
      assertTrue(compared.tumbling() > 200, "the backfill spans three hours of windows: " + compared);
      assertEquals(0.0, app.metrics().totalLate(), "nothing of an ordered backfill is late");
      System.out.println("[BackfillIT] equal to SQL: " + compared);
    } finally {
      app.stop();
    }
  }

  @Test
  void liveWindowsCloseWithinTheIdleTimeAfterTrafficStops() {
    ItPipeline it = ItPipeline.create("livestop", Map.of("WINDOW_TUMBLING_WINDOW_SECONDS", "1",
        "WINDOW_REVENUE_WINDOW_SECONDS", "1", "WINDOW_SESSION_TIMEOUT_SECONDS", "1",
        "WINDOW_ALLOWED_LATENESS_SECONDS", "1"));
    PipelineConfig config = it.config();
    Db db = it.db();
    Application app = startedAndWaiting(config);
    try {
      List<GeneratedMessage> sent = EventTimes.NEAR_WALL_CLOCK.produce(it.infra().bootstrapServers,
          config.kafka().clickstreamTopic(), 7L, 2_000, 0.0, 1, 100, 100).all();
      long valid = sent.stream().filter(m -> m.kind() == Kind.VALID).count();
      WindowChecks.awaitAllExact(db, config, valid);
      // Both clocks are the pipeline's: the last event's commit (at or after it was read) and each window's close.
      long lastStored = db.count("SELECT (extract(epoch FROM max(ingested_at)) * 1000)::bigint FROM clickstream_events");
      long lastClosed = db.count("SELECT max(emitted_at) FROM aggregated_metrics");
      assertTrue(lastClosed - lastStored <= config.windows().idleMs() + 1_000, "every window and session closed within "
          + "WINDOW_IDLE_SECONDS + 1 s of the last event: the last closed " + (lastClosed - lastStored) + " ms after");
    } finally {
      app.stop();
    }
  }

  /**
   * One user's backfill, two hours behind the wall clock, pauses for 2 × WINDOW_IDLE_SECONDS after the event at
   * B + 30 s. Quiet for q ≥ WINDOW_IDLE_SECONDS, the partition's watermark becomes B + 30 s + q − lateness ≥
   * B + 30 s, which closes the 10 s window [B + 20 s, B + 30 s): the five events of that window sent after the
   * pause are late (without the idle rule they would be within the lateness). Everything after B + 30 s is
   * counted, as long as q stays under 10 s.
   */
  @Test
  void aBackfillThatPausesLosesExactlyWhatTheIdleRuleMakesLate() {
    ItPipeline it = ItPipeline.create("pause", Map.of("WINDOW_TUMBLING_WINDOW_SECONDS", "10",
        "WINDOW_REVENUE_WINDOW_SECONDS", "20", "WINDOW_SESSION_TIMEOUT_SECONDS", "15",
        "WINDOW_ALLOWED_LATENESS_SECONDS", "2"));
    PipelineConfig config = it.config();
    Db db = it.db();
    String topic = config.kafka().clickstreamTopic();
    long b = (System.currentTimeMillis() - 2 * 3_600_000L) / 60_000 * 60_000;
    List<ProducerRecord<String, byte[]>> before = new ArrayList<>();
    for (long t = 0; t <= 30_000; t += 500) {
      before.add(event(topic, b + t));
    }
    List<ProducerRecord<String, byte[]>> late = new ArrayList<>();
    List<String> lateIds = new ArrayList<>();
    for (long t = 25_000; t < 30_000; t += 1_000) {
      lateIds.add(UUID.randomUUID().toString());
      late.add(event(topic, lateIds.get(lateIds.size() - 1), b + t));
    }
    List<ProducerRecord<String, byte[]>> after = new ArrayList<>(late);
    for (long t = 30_500; t < 60_000; t += 500) {
      after.add(event(topic, b + t));
    }
    Application app = startedAndWaiting(config);
    try {
      TestData.send(it.infra().bootstrapServers, topic, before, null);
      Await.until(Duration.ofSeconds(30), "the first part stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == before.size());
      Await.sleep(2 * config.windows().idleMs());
      TestData.send(it.infra().bootstrapServers, topic, after, null);
      long counted = before.size() + after.size() - late.size();
      Await.until(Duration.ofSeconds(30), "every event stored, late ones too",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == before.size() + after.size());
      String notLate = "event_id NOT IN (" + lateIds.stream().map(id -> "'" + id + "'")
          .collect(Collectors.joining(", ")) + ")";
      Await.until(Duration.ofSeconds(60), "every counted event in its closed windows and session",
          () -> db.count("SELECT coalesce(sum(event_count), 0) FROM aggregated_metrics "
              + "WHERE window_type = 'session_summary'"), n -> n == counted);
      assertEquals(late.size(), app.metrics().totalLate(), "exactly the events of the window the pause closed");
      WindowChecks.assertAllExact(db, config, notLate);
    } finally {
      app.stop();
    }
  }

  private ProducerRecord<String, byte[]> event(String topic, long timestamp) {
    return event(topic, UUID.randomUUID().toString(), timestamp);
  }

  private ProducerRecord<String, byte[]> event(String topic, String eventId, long timestamp) {
    ClickstreamEvent e = new ClickstreamEvent(eventId, EventType.PAGE_VIEW, timestamp,
        "user_backfill", "6f1d3a2b-0000-4000-8000-00000000b0f1", "prod_00001", "books", null, null, null,
        "https://shop.example/", null, "Mozilla/5.0 (X11; Linux x86_64)", "192.0.2.1", "FR", "Lyon");
    return new ProducerRecord<>(topic, "user_backfill", codec.encode(e));
  }
}
