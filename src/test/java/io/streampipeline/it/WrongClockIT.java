package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.infra.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * An event from a clock a year ahead goes to the DLQ instead of moving its partition's watermark for good: the
 * events after it in the same partition are stored and counted in their windows, none of them late. The limits
 * come from the configuration (WINDOW_MAX_FUTURE_SECONDS, PIPELINE_MAX_MESSAGE_BYTES).
 */
class WrongClockIT {

  @Test
  void anEventFromTheFutureIsDeadLetteredAndDoesNotMakeTheRestLate() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    Map<String, String> settings = infra.pipelineConfig(database, "wrong-clock");
    settings.put("WINDOW_MAX_FUTURE_SECONDS", "60");
    settings.put("PIPELINE_MAX_MESSAGE_BYTES", "2000");
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Topics.ensure(infra.bootstrapServers, config);
    ClickstreamCodec codec = new ClickstreamCodec();
    long t0 = Instant.parse("2026-11-24T09:00:00Z").toEpochMilli();
    long aYear = 365L * 24 * 3600 * 1000;
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    long futureRecordTs = 0;
    for (int i = 0; i < 400; i++) {
      long recordTs = t0 + i * 1000L;
      boolean wrongClock = i == 100;
      long eventTs = wrongClock ? recordTs + aYear : recordTs - 500;
      futureRecordTs = wrongClock ? recordTs : futureRecordTs;
      ClickstreamEvent e = new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PAGE_VIEW, eventTs,
          "user_" + (i % 5), "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", null, null, null, null, null,
          "https://shop.example/p/" + i, null, "Mozilla/5.0", "192.0.2.9", "SE", null);
      // All in partition 0 with explicit record timestamps (CreateTime), as a producer with a good clock sets them.
      records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), 0, recordTs, e.userId(), codec.encode(e)));
    }
    records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), 0, t0 + 400_000L, "big", new byte[3000]));
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), records, null);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "399 events stored and 2 dead letters",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals("399/2"));
      List<Map<String, Object>> reasons = db.rows("SELECT error_reason FROM dead_letter_events ORDER BY source_offset");
      assertEquals("timestamp too far in the future: " + (futureRecordTs + aYear) + " is 31536000 s ahead of the "
          + "Kafka record timestamp " + futureRecordTs + " (limit 60 s)", reasons.get(0).get("error_reason"));
      assertEquals("message of 3000 bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (2000)", reasons.get(1).get("error_reason"));
      Await.until(Duration.ofSeconds(60), "the stored events counted in closed events_per_minute windows",
          () -> db.count("SELECT coalesce(sum(event_count), 0) FROM aggregated_metrics "
              + "WHERE window_type = 'events_per_minute'"), n -> n == 399);
      assertEquals(0.0, app.metrics().totalLate(), "no event became late");
      assertTrue(db.count("SELECT max(window_end) FROM aggregated_metrics") < t0 + aYear / 2,
          "no window from the wrong clock");
    } finally {
      app.stop();
    }
  }
}
