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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A producer retry repeats an event_id: in the same batch, and in a later checkpoint after the first copy was
 * committed. Each is stored once and counted once in its windows; nothing goes to the DLQ.
 */
class DuplicateEventsIT {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private ProducerRecord<String, byte[]> record(String topic, ClickstreamEvent e) {
    return new ProducerRecord<>(topic, e.userId(), codec.encode(e));
  }

  private static ClickstreamEvent event(int i, long timestamp) {
    return new ClickstreamEvent(UUID.nameUUIDFromBytes(("dup-" + i).getBytes()).toString(), EventType.ADD_TO_CART,
        timestamp, "user_" + (i % 5), "9a0f6c1e-0000-4000-8000-00000000000" + (i % 5), "prod_00042", "garden", 999L,
        1, null, "https://shop.example/p/42", null, "Mozilla/5.0 (Windows NT 10.0)", "192.0.2.44", "IT", "Roma");
  }

  @Test
  void repeatedEventIdsAreStoredAndCountedOnce() {
    ItPipeline it = ItPipeline.create("dup", Map.of("WINDOW_IDLE_SECONDS", "3600"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-17T15:00:00Z").toEpochMilli();

    Application app = new Application(config).start();
    try {
      // First part: 1,000 events over 100 s, 20 of them sent twice in a row (same batch).
      List<ProducerRecord<String, byte[]>> first = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        ClickstreamEvent e = event(i, base + i * 100L);
        first.add(record(topic, e));
        if (i % 50 == 0) {
          first.add(record(topic, e));
        }
      }
      TestData.send(infra.bootstrapServers, topic, first, null);
      Await.until(Duration.ofSeconds(60), "first part committed",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 1000);

      // Second part, after the first is committed: 100 repeats of its last 10 s (windows still open) and 1,000
      // new events; then one event three hours later closes every earlier window.
      List<ProducerRecord<String, byte[]>> second = new ArrayList<>();
      for (int i = 900; i < 1000; i++) {
        second.add(record(topic, event(i, base + i * 100L)));
      }
      for (int i = 1000; i < 2000; i++) {
        second.add(record(topic, event(i, base + i * 100L)));
      }
      for (int user = 0; user < 5; user++) {
        second.add(record(topic, event(5000 + user, base + Duration.ofHours(3).toMillis())));
      }
      TestData.send(infra.bootstrapServers, topic, second, null);
      Await.until(Duration.ofSeconds(60), "second part committed",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 2005);

      long closedBefore = base + Duration.ofHours(1).toMillis();
      Await.until(Duration.ofSeconds(30), "earlier windows closed",
          () -> db.count("SELECT coalesce(sum(event_count), 0) FROM aggregated_metrics "
              + "WHERE window_type = 'events_per_minute' AND window_start < " + closedBefore), n -> n == 2000);
      assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"), "a repeat is not an error");
      assertEquals(0.0, app.metrics().totalLate());
      assertEquals(2000, db.count("SELECT count(*) FROM clickstream_events WHERE event_timestamp_ms < "
          + closedBefore));
    } finally {
      app.stop();
    }
  }
}
