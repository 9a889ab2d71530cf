package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Event time at the edges: out-of-order events, late ones, and a partition that goes quiet. */
class LateAndQuietIT {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private ProducerRecord<String, byte[]> event(String topic, String user, long timestamp) {
    ClickstreamEvent e = new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PAGE_VIEW, timestamp, user,
        "6f1d3a2b-0000-4000-8000-00000000abcd", "prod_00001", "books", null, null, null, "https://shop.example/",
        null, "Mozilla/5.0 (X11; Linux x86_64)", "192.0.2.1", "FR", "Lyon");
    return new ProducerRecord<>(topic, user, codec.encode(e));
  }

  private void send(TestInfra infra, PipelineConfig config, List<ProducerRecord<String, byte[]>> records) {
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), records, null);
  }

  @Test
  void outOfOrderWithinLatenessCountsAndLateEventsDoNotReopenTheWindow() {
    ItPipeline it = ItPipeline.create("late", Map.of("WINDOW_IDLE_SECONDS", "3600"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    long base = Instant.parse("2026-11-18T09:00:00Z").toEpochMilli();
    String topic = config.kafka().clickstreamTopic();
    String minute = "SELECT event_count FROM aggregated_metrics WHERE window_type = 'events_per_minute' "
        + "AND window_start = " + base;

    Application app = new Application(config).start();
    try {
      // 25 s arrives after 30 s but within the 10 s lateness; 75 s moves the watermark to 65 s, past 60 s.
      send(infra, config, List.of(event(topic, "user_late", base + 5_000), event(topic, "user_late", base + 30_000),
          event(topic, "user_late", base + 25_000), event(topic, "user_late", base + 75_000)));
      Await.until(Duration.ofSeconds(30), "the first minute closed with its 3 events", () -> db.count(minute),
          n -> n == 3);
      // 40 s now belongs to a closed window: stored, counted late, left out; then close the 5-minute window.
      send(infra, config, List.of(event(topic, "user_late", base + 40_000), event(topic, "user_late", base + 80_000),
          event(topic, "user_late", base + 400_000)));
      Await.until(Duration.ofSeconds(30), "the 5-minute window closed",
          () -> db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type = 'revenue_per_5min'"),
          n -> n == 1);
      assertEquals(7, db.count("SELECT count(*) FROM clickstream_events"), "late events are still stored");
      assertEquals(1.0, app.metrics().totalLate(), "one late event counted");
      assertEquals(3, db.count(minute), "the closed window was not reopened");
      assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE window_type = 'events_per_minute' "
          + "AND window_start = " + base), "one row for the window");
      assertEquals(5, db.count("SELECT event_count FROM aggregated_metrics WHERE window_type = 'revenue_per_5min'"),
          "the late event is left out of the 5-minute window too");
    } finally {
      app.stop();
    }
  }

  @Test
  void aQuietPartitionClosesItsWindowsByTheWallClock() {
    ItPipeline it = ItPipeline.create("quiet", Map.of("WINDOW_TUMBLING_WINDOW_SECONDS", "5", "WINDOW_REVENUE_WINDOW_SECONDS", "10", "WINDOW_ALLOWED_LATENESS_SECONDS", "1", "WINDOW_SESSION_TIMEOUT_SECONDS", "3", "WINDOW_IDLE_SECONDS", "2"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();

    Application app = new Application(config).start();
    try {
      long now = System.currentTimeMillis();
      send(infra, config, LongStream.range(0, 10).mapToObj(i -> event(config.kafka().clickstreamTopic(), "user_quiet", now))
          .toList());
      // No more traffic: without the wall-clock advance the watermark would stay at now - 1 s forever.
      Await.until(Duration.ofSeconds(40), "windows and the session closed after the partition went quiet",
          () -> db.count("SELECT coalesce(sum(event_count), 0) FROM aggregated_metrics") , n -> n == 30);
    } finally {
      app.stop();
    }
  }
}
