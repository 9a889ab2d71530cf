package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Under {@code PIPELINE_OFFSET_OUT_OF_RANGE=halt}, retention removes records a running lane has not read yet. The
 * lane finds the gap while reading and the records after it are already on their way to a checkpoint: none of
 * them may be stored, and the stored offset must stay before the gap, so the partition is held now and after a
 * restart.
 */
class HaltOnRecordsLostWhileReadingIT {
  private static final String LONG_URL = "https://shop.example/" + "p".repeat(1500);
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private List<ProducerRecord<String, byte[]>> events(String topic, String prefix, int count, long base) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String user = "user_" + (i % 60);
      ClickstreamEvent e = new ClickstreamEvent(id(prefix, i), EventType.PAGE_VIEW, base + i * 10L, user,
          UUID.nameUUIDFromBytes(user.getBytes()).toString(), null, null, null, null, null, LONG_URL, null,
          "Mozilla/5.0", "192.0.2.9", "DE", null);
      records.add(new ProducerRecord<>(topic, user, codec.encode(e)));
    }
    return records;
  }

  private static String id(String prefix, int i) {
    return UUID.nameUUIDFromBytes((prefix + i).getBytes()).toString();
  }

  private static double outOfRange(Application app) {
    return app.metrics().registry().find("stream_pipeline_offset_out_of_range").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static Map<Integer, Long> storedOffsets(Db db) {
    Map<Integer, Long> stored = new HashMap<>();
    db.rows("SELECT partition, next_offset FROM pipeline_checkpoints").forEach(r -> stored.put(
        ((Number) r.get("partition")).intValue(), ((Number) r.get("next_offset")).longValue()));
    return stored;
  }

  @Test
  void recordsAfterAGapFoundWhileReadingAreNeverStoredAndThePartitionStaysHeld() throws Exception {
    ItPipeline it = ItPipeline.create("halt-gap", Map.of("PIPELINE_OFFSET_OUT_OF_RANGE", "halt",
        "PIPELINE_MAX_IN_FLIGHT_EVENTS", "200", "SINK_BATCH_SIZE", "50"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    Application first = new Application(config).start();
    Application app = first;
    try {
      TestData.send(infra.bootstrapServers, topic, events(topic, "first-", 600, base), null);
      Await.until(Duration.ofSeconds(90), "first part stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 600);
      Map<Integer, Long> stored = storedOffsets(db);

      // PostgreSQL away: the lane reads until too much is uncommitted and pauses, far before the cut below.
      infra.cutOff(it.database());
      List<ProducerRecord<String, byte[]>> later = events(topic, "later-", 18_000, base + 60_000);
      List<TestData.Sent> sent = TestData.send(infra.bootstrapServers, topic, later, null);
      Thread.sleep(3000);
      Map<Integer, Long> cut = new HashMap<>();
      stored.forEach((p, offset) -> cut.put(p, offset + 2000));
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers))) {
        Map<TopicPartition, RecordsToDelete> deletes = new HashMap<>();
        cut.forEach((p, before) -> deletes.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(before)));
        admin.deleteRecords(deletes).all().get();
      }
      List<String> afterGap = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        if (sent.get(i).offset() >= cut.get(sent.get(i).partition())) {
          afterGap.add(id("later-", i));
        }
      }
      assertTrue(afterGap.size() > 1000, afterGap.size() + " records after the gaps");
      String afterGapQuery = "SELECT count(*) FROM clickstream_events WHERE event_id = ANY(ARRAY['"
          + String.join("','", afterGap) + "'])";
      infra.reconnect(it.database());

      Await.until(Duration.ofSeconds(90), "every partition's gap reported", () -> outOfRange(first),
          n -> n >= cut.size());
      // What was read before each gap is checkpointed; give a wrong checkpoint of what came after it time to land.
      Thread.sleep(3000);
      assertEquals(0, db.count(afterGapQuery), "no record after a gap is stored");
      storedOffsets(db).forEach((p, offset) -> assertTrue(offset < cut.get(p),
          "partition " + p + " stored at " + offset + ", its log starts at " + cut.get(p)));
      app.stop();

      app = new Application(config).start();
      Application restarted = app;
      Await.until(Duration.ofSeconds(90), "every partition held again after the restart",
          () -> outOfRange(restarted), n -> n >= cut.size());
      Thread.sleep(2000);
      assertEquals(0, db.count(afterGapQuery), "still nothing after a gap stored");
    } finally {
      app.stop();
    }
  }
}
