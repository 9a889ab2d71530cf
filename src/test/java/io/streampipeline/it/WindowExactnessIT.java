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
import io.streampipeline.bus.WindowResult;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.DecodeException;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.window.AggregatedCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A data set spanning more than 3 hours of event time, replayed from Kafka as fast as the pipeline goes:
 * every events_per_minute and revenue_per_5min window (partials summed over partitions) and every session
 * equals the same figures computed by SQL over clickstream_events, with one lane and with two.
 */
class WindowExactnessIT {
  private static final long T0 = Instant.parse("2026-11-19T06:00:00Z").toEpochMilli();
  private static final List<GeneratedMessage> MESSAGES = TestData.generate(31337L, 24_000, 0.02, T0, 500);

  private Map<String, String> replay(int lanes) {
    // Every record is in Kafka before the lanes start: the bounded replay the wall-clock idle rule is for, which
    // closes the last half-hour sessions as soon as the replay ends (BackfillIT covers the default rule).
    ItPipeline it = ItPipeline.create("exact" + lanes, Map.of("PIPELINE_INSTANCES", String.valueOf(lanes),
        "WINDOW_IDLE_RULE", "wall-clock"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), MESSAGES);
    long valid = MESSAGES.stream().filter(m -> m.kind() == Kind.VALID).count();

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "all events stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == valid);
      // The replay ends; after WINDOW_IDLE_SECONDS event time jumps to the wall clock and every window and
      // session closes. Wait until the emitted windows account for every stored event.
      WindowChecks.awaitAllEmitted(db, valid);
      int windows = WindowChecks.assertTumblingExact(db, config.windows().tumblingMs(), config.windows().revenueMs());
      int sessions = WindowChecks.assertSessionsExact(db, config.windows().sessionTimeoutMs());
      System.out.println("[WindowExactnessIT] lanes=" + lanes + ": " + windows + " tumbling windows and " + sessions
          + " sessions equal SQL");
      assertEquals(0.0, app.metrics().totalLate(), "an ordered replay has no late events");
      assertAggregatedTopic(infra, config, db);
      return WindowChecks.emittedTumbling(db, "events_per_minute");
    } finally {
      app.stop();
    }
  }

  /** Every window row reached clickstream.aggregated, keyed by window_id, with the same figures. */
  private static void assertAggregatedTopic(TestInfra infra, PipelineConfig config, Db db) {
    Map<String, Long> rows = new HashMap<>();
    db.rows("SELECT window_id, event_count FROM aggregated_metrics")
        .forEach(r -> rows.put((String) r.get("window_id"), (Long) r.get("event_count")));
    Map<String, Long> published = new HashMap<>();
    Await.until(Duration.ofSeconds(60), "every window published",
        () -> {
          AggregatedCodec codec = new AggregatedCodec();
          for (var record : TestData.readAll(infra.bootstrapServers, config.kafka().aggregatedTopic(), rows.size(),
              Duration.ofSeconds(5))) {
            try {
              WindowResult w = codec.decode(record.value());
              assertEquals(record.key(), w.windowId(), "keyed by window_id");
              published.put(w.windowId(), w.eventCount());
            } catch (DecodeException e) {
              throw new AssertionError(e);
            }
          }
          return published.size();
        }, n -> n >= rows.size());
    assertEquals(rows, published, "the topic carries every window with its figures");
  }

  @Test
  void oneLaneAndTwoLanesEqualSqlAndEachOther() {
    LongSummaryStatistics times = MESSAGES.stream().filter(m -> m.kind() == Kind.VALID)
        .mapToLong(m -> m.event().timestamp()).summaryStatistics();
    assertTrue(times.getMax() - times.getMin() >= Duration.ofHours(3).toMillis(), "spans at least 3 hours");
    Map<String, String> oneLane = replay(1);
    Map<String, String> twoLanes = replay(2);
    assertEquals(oneLane, twoLanes, "two lanes give the same global figures as one");
  }
}
