package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.infra.Topics;
import io.streampipeline.ingest.IngestVerticle;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
      admin.deleteTopics(List.of(config.kafka().clickstreamTopic())).all().get();
      Await.until(Duration.ofSeconds(60), "topic deleted", () -> {
        try {
          return admin.listTopics().names().get().contains(config.kafka().clickstreamTopic());
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

  private static double outOfRange(Application app, String reason) {
    return app.metrics().registry().find("stream_pipeline_offset_out_of_range").tag("reason", reason).counters()
        .stream().mapToDouble(Counter::count).sum();
  }

  /** The ERROR lines of the lanes while {@code body} runs. */
  private static List<String> errorLines(ThrowingRunnable body) throws Exception {
    ch.qos.logback.classic.Logger lanes = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(IngestVerticle.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    lanes.addAppender(appender);
    try {
      body.run();
    } finally {
      lanes.detachAppender(appender);
    }
    return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static long partitionsWithData(Db db) {
    return db.count("SELECT count(*) FROM pipeline_checkpoints WHERE next_offset > 0");
  }

  /** Runs a first data set through, re-creates the topic, writes a second, smaller one. */
  private Set<String> firstRunThenRecreate(TestInfra infra, PipelineConfig config, Db db) throws Exception {
    return firstRunThenRecreate(infra, config, db, 1200);
  }

  /**
   * Runs a first data set of 3,000 events through, re-creates the topic, writes a second one of {@code second}
   * events over the same users, so each partition's new log is {@code second} / 3,000 times as long as its old one.
   */
  private Set<String> firstRunThenRecreate(TestInfra infra, PipelineConfig config, Db db, int secondCount)
      throws Exception {
    String topic = config.kafka().clickstreamTopic();
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
    List<ProducerRecord<String, byte[]>> second = events(topic, "second-", secondCount,
        base + Duration.ofHours(1).toMillis());
    TestData.send(infra.bootstrapServers, topic, second, null);
    return ids("second-", secondCount);
  }

  /**
   * The new log has already grown past every stored offset, so the offsets alone look fine: only the topic's ID
   * tells that the positions belong to another log. Every event of the new log is stored, each partition reported.
   */
  @Test
  void aTopicCreatedAgainThatGrewPastTheStoredOffsetsIsReadWhole() throws Exception {
    ItPipeline it = ItPipeline.create("regrown");
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    Set<String> second = firstRunThenRecreate(infra, config, db, 6000);
    long withData = partitionsWithData(db);

    List<String> errors = errorLines(() -> {
      Application app = new Application(config).start();
      try {
        Await.until(Duration.ofSeconds(90), "second data set stored",
            () -> db.count("SELECT count(*) FROM clickstream_events WHERE event_id = ANY(ARRAY['"
                + String.join("','", second) + "'])"), n -> n == second.size());
        assertEquals(withData, outOfRange(app, "topic_id"), 0.0, "each partition's restore reported it");
        Await.until(Duration.ofSeconds(60), "positions follow the new log",
            () -> db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"), n -> n == 6000);
        assertEquals(1, db.count("SELECT count(DISTINCT topic_id) FROM pipeline_checkpoints WHERE next_offset > 0"),
            "the new log's ID stored with the positions");
      } finally {
        app.stop();
      }
    });
    assertEquals(withData, errors.stream().filter(l -> l.contains("topic ID")).count(), errors.toString());
    assertEquals(9000, db.count("SELECT count(*) FROM clickstream_events"), "nothing of either set lost");
  }

  @Test
  void withHaltATopicCreatedAgainThatGrewPastTheStoredOffsetsIsHeld() throws Exception {
    ItPipeline it = ItPipeline.create("regrown-halted", Map.of("PIPELINE_OFFSET_OUT_OF_RANGE", "halt"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    firstRunThenRecreate(infra, config, db, 6000);
    long withData = partitionsWithData(db);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "every partition found outside the log", () -> outOfRange(app, "topic_id"),
          n -> n == withData);
      // Long enough for a held partition that was read anyway to have checkpointed (flushes every 0.5 s).
      Thread.sleep(3000);
      assertEquals(3000, db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"),
          "the stored positions are left for the operator");
    } finally {
      app.stop();
    }
    assertEquals(3000, db.count("SELECT count(*) FROM clickstream_events"), "nothing of the new log was read");
  }

  /**
   * A re-created topic reuses offsets: a bad record at offset 0 of partition 0 of each log is two dead letters,
   * two rows and two messages on the DLQ topic (same key, told apart by source_topic_id).
   */
  @Test
  void aBadRecordAtAnOffsetAnOldDeadLetterHadIsADeadLetterToo() throws Exception {
    ItPipeline it = ItPipeline.create("dlq-recreated");
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    byte[] firstBad = "not an event (first log)".getBytes(StandardCharsets.UTF_8);
    byte[] secondBad = "not an event (second log)".getBytes(StandardCharsets.UTF_8);

    Application app = new Application(config).start();
    try {
      TestData.send(infra.bootstrapServers, topic, List.of(new ProducerRecord<>(topic, 0, "bad", firstBad)), null);
      TestData.send(infra.bootstrapServers, topic, events(topic, "first-", 300, base), null);
      Await.until(Duration.ofSeconds(90), "first log stored",
          () -> db.count("SELECT count(*) FROM clickstream_events") + db.count("SELECT count(*) FROM dead_letter_events"),
          n -> n == 301);
    } finally {
      app.stop();
    }
    recreate(infra, config);
    TestData.send(infra.bootstrapServers, topic, List.of(new ProducerRecord<>(topic, 0, "bad", secondBad)), null);
    // Shorter than the first: found outside the log by its offsets alone, so only the source key is in question.
    TestData.send(infra.bootstrapServers, topic, events(topic, "second-", 100, base), null);

    app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "both dead letters stored",
          () -> db.count("SELECT count(*) FROM dead_letter_events WHERE source_partition = 0 AND source_offset = 0"),
          n -> n == 2);
      assertEquals(2, db.count("SELECT count(DISTINCT source_topic_id) FROM dead_letter_events"));
      String key = topic + ":0:0";
      List<ConsumerRecord<String, byte[]>> dlq = TestData.readAll(infra.bootstrapServers, config.kafka().dlqTopic(), 2,
          Duration.ofSeconds(60));
      Set<String> payloads = dlq.stream().filter(r -> key.equals(r.key()))
          .map(r -> new JsonObject(new String(r.value(), StandardCharsets.UTF_8)))
          .map(j -> j.getString("source_topic_id") + " " + j.getString("original_payload"))
          .collect(Collectors.toSet());
      assertEquals(2, payloads.size(), payloads.toString());
      assertTrue(payloads.stream().anyMatch(p -> p.endsWith("(first log)")), payloads.toString());
      assertTrue(payloads.stream().anyMatch(p -> p.endsWith("(second log)")), payloads.toString());
    } finally {
      app.stop();
    }
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

  /**
   * A database upgraded to V10 keeps its rows: positions stored before topic IDs were have none, and are adopted
   * (read on from the stored offset, no report), the first checkpoint storing the ID of the log being read; a dead
   * letter stored before keeps its row, with no ID ('').
   */
  @Test
  void positionsStoredBeforeTopicIdsAreAdoptedNotReset() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createEmptyDatabase();
    org.flywaydb.core.Flyway.configure().dataSource(infra.jdbcUrl(database), infra.pgUser, infra.pgPassword)
        .locations("classpath:sql/migration").target("9").load().migrate();
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "adopted"));
    Topics.ensure(infra.bootstrapServers, config);
    Db db = new Db(infra, database);
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    List<TestData.Sent> sent = TestData.send(infra.bootstrapServers, topic, events(topic, "adopted-", 1200, base),
        null);
    // Positions as the release before V10 stored them: halfway into each partition's log.
    Map<Integer, Long> ends = new java.util.HashMap<>();
    sent.forEach(s -> ends.merge(s.partition(), s.offset() + 1, Math::max));
    Map<Integer, Long> stored = new java.util.HashMap<>();
    ends.forEach((p, end) -> stored.put(p, end / 2));
    stored.forEach((p, offset) -> infra.sql(database, "INSERT INTO pipeline_checkpoints (consumer_group, topic, "
        + "partition, next_offset, checkpoint_id, owner_epoch) VALUES ('" + config.kafka().consumerGroup() + "', '" + topic
        + "', " + p + ", " + offset + ", 1, 1)"));
    infra.sql(database, "INSERT INTO dead_letter_events (source_topic, source_partition, source_offset, "
        + "error_reason, original_payload, payload_encoding, failed_at, failed_at_iso, published) VALUES "
        + "('" + topic + "', 0, 0, 'bad', 'x', 'utf8', 1700000000000, '2023-11-14T22:13:20Z', true)");
    long afterStored = sent.stream().filter(s -> s.offset() >= stored.get(s.partition())).count();

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "the rest of each log stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == afterStored);
      Await.until(Duration.ofSeconds(60), "every position adopted with the topic's ID",
          () -> db.count("SELECT count(*) FROM pipeline_checkpoints WHERE topic_id IS NOT NULL"),
          n -> n == stored.size());
      assertEquals(0.0, outOfRange(app), "nothing reported: the positions were kept");
      assertEquals(1200, db.count("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints"));
    } finally {
      app.stop();
    }
    assertEquals(afterStored, db.count("SELECT count(*) FROM clickstream_events"), "nothing read twice");
    assertEquals(1, db.count("SELECT count(*) FROM dead_letter_events WHERE source_topic_id = ''"),
        "the dead letter stored before kept its row");
  }

  /** Retention removed records the pipeline had not read yet: reported, and every record still in the log stored. */
  @Test
  void recordsRemovedBeforeTheyWereReadAreReportedAndTheRestIsStored() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "retention"));
    Topics.ensure(infra.bootstrapServers, config);
    Db db = new Db(infra, database);
    String topic = config.kafka().clickstreamTopic();
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
