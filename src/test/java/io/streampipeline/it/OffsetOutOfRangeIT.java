package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.app.ConfigLoader;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.infra.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The input topic is deleted and created again (a broker without a volume, `docker compose down`) while
 * PostgreSQL keeps the stored offsets of the old log. With the default policy every event of the new log is
 * stored; with `halt` nothing of it is read and the stored positions stay as they were, for an operator to act.
 */
class OffsetOutOfRangeIT {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private List<ProducerRecord<String, byte[]>> events(String topic, String prefix, int count, long base) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String user = "user_" + (i % 40);
      ClickstreamEvent e = new ClickstreamEvent(UUID.nameUUIDFromBytes((prefix + i).getBytes()).toString(),
          EventType.PAGE_VIEW, base + i * 100L, user, "00000000-0000-4000-8000-0000000000" + String.format("%02d",
          i % 40), null, null, null, null, null, "https://shop.example/", null, "Mozilla/5.0", "192.0.2.9", "DE",
          null);
      records.add(new ProducerRecord<>(topic, user, codec.encode(e)));
    }
    return records;
  }

  private static Set<String> ids(String prefix, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> UUID.nameUUIDFromBytes((prefix + i).getBytes()).toString()).collect(Collectors.toSet());
  }

  private static void recreate(TestInfra infra, PipelineConfig config) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers))) {
      admin.deleteTopics(List.of(config.clickstreamTopic())).all().get();
      Await.until(Duration.ofSeconds(60), "topic deleted", () -> {
        try {
          return admin.listTopics().names().get().contains(config.clickstreamTopic());
        } catch (Exception e) {
          return true;
        }
      }, exists -> !exists);
    }
    Await.until(Duration.ofSeconds(60), "topic created again", () -> {
      try {
        Topics.ensure(infra.bootstrapServers, config);
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    }, created -> created);
  }

  private static double outOfRange(Application app) {
    return app.metrics().registry().find("stream_pipeline_offset_out_of_range").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static long partitionsWithData(Db db) {
    return db.count("SELECT count(*) FROM pipeline_checkpoints WHERE next_offset > 0");
  }

  /** Runs a first data set through, re-creates the topic, writes a second, smaller one. */
  private Set<String> firstRunThenRecreate(TestInfra infra, PipelineConfig config, Db db) throws Exception {
    String topic = config.clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    List<ProducerRecord<String, byte[]>> first = events(topic, "first-", 3000, base);
    Application app = new Application(config).start();
    try {
      TestData.send(infra.bootstrapServers, topic, first, null);
      Await.until(Duration.ofSeconds(90), "first data set stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 3000);
    } finally {
      app.stop();
    }
    recreate(infra, config);
    List<ProducerRecord<String, byte[]>> second = events(topic, "second-", 1200, base + Duration.ofHours(1).toMillis());
    TestData.send(infra.bootstrapServers, topic, second, null);
    return ids("second-", 1200);
  }

  @Test
  void afterTheTopicIsCreatedAgainEveryNewEventIsStored() throws Exception {
    ItPipeline it = ItPipeline.create("recreated");
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    Set<String> second = firstRunThenRecreate(infra, config, db);
    long withData = partitionsWithData(db);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "second data set stored",
          () -> db.count("SELECT count(*) FROM clickstream_events WHERE event_id = ANY(ARRAY['"
              + String.join("','", second) + "'])"), n -> n == second.size());
      assertEquals(withData, outOfRange(app), 0.0, "each partition's restore reported it");
      Await.until(Duration.ofSeconds(60), "positions follow the new log",
          () -> db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"), n -> n == 1200);
    } finally {
      app.stop();
    }
    assertEquals(4200, db.count("SELECT count(*) FROM clickstream_events"), "nothing of either set lost");
  }

  @Test
  void withHaltNothingOfTheNewLogIsReadAndThePositionsStay() throws Exception {
    ItPipeline it = ItPipeline.create("halted", Map.of("PIPELINE_OFFSET_OUT_OF_RANGE", "halt"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    firstRunThenRecreate(infra, config, db);
    long withData = partitionsWithData(db);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "every partition found out of range", () -> outOfRange(app),
          n -> n == withData);
      assertEquals(3000, db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"),
          "the stored positions are left for the operator");
    } finally {
      app.stop();
    }
    assertEquals(3000, db.count("SELECT count(*) FROM clickstream_events"), "nothing of the new log was read");
  }

  /** Retention removed records the pipeline had not read yet: reported, and every record still in the log stored. */
  @Test
  void recordsRemovedBeforeTheyWereReadAreReportedAndTheRestIsStored() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "retention"));
    Topics.ensure(infra.bootstrapServers, config);
    Db db = new Db(infra, database);
    String topic = config.clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    Application app = new Application(config).start();
    try {
      TestData.send(infra.bootstrapServers, topic, events(topic, "kept-", 600, base), null);
      Await.until(Duration.ofSeconds(90), "first part stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 600);
    } finally {
      app.stop();
    }
    List<TestData.Sent> later = TestData.send(infra.bootstrapServers, topic,
        events(topic, "later-", 1200, base + Duration.ofMinutes(2).toMillis()), null);
    // Retention (here deleteRecords) removes the first half of what the pipeline has not read yet.
    Map<Integer, Long> ends = new java.util.HashMap<>();
    later.forEach(s -> ends.merge(s.partition(), s.offset() + 1, Math::max));
    Map<Integer, Long> cut = new java.util.HashMap<>();
    db.rows("SELECT partition, next_offset FROM pipeline_checkpoints").forEach(r -> {
      int p = ((Number) r.get("partition")).intValue();
      long stored = ((Number) r.get("next_offset")).longValue();
      if (ends.containsKey(p)) {
        cut.put(p, stored + (ends.get(p) - stored) / 2);
      }
    });
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers))) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> deletes =
          new java.util.HashMap<>();
      cut.forEach((p, before) -> deletes.put(new org.apache.kafka.common.TopicPartition(topic, p),
          org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(before)));
      admin.deleteRecords(deletes).all().get();
    }
    long stillInLog = later.stream().filter(s -> s.offset() >= cut.get(s.partition())).count();

    app = new Application(config).start();
    try {
      Application running = app;
      Await.until(Duration.ofSeconds(90), "every partition with removed records reported",
          () -> outOfRange(running), n -> n == cut.size());
      Await.until(Duration.ofSeconds(90), "what the log still holds stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == 600 + stillInLog);
    } finally {
      app.stop();
    }
  }
}
