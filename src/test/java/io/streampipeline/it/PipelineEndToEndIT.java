package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.StoredRows;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.ingest.EventRules;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Generated traffic with a fixed seed, bad input included, through real Kafka and PostgreSQL: the table
 * holds exactly the valid non-bot events, normalized and enriched; the DLQ table and topic hold exactly
 * the bad ones, each with its reason.
 */
class PipelineEndToEndIT {
  private static final long T0 = Instant.parse("2026-11-20T08:00:00Z").toEpochMilli();

  @Test
  void storesExactlyTheValidEventsAndDeadLettersTheRest() {
    ItPipeline it = ItPipeline.create("e2e");
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    List<GeneratedMessage> messages = TestData.generate(20261125L, 6000, 0.05, T0, 250);
    List<TestData.Sent> sent = TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages);
    Map<Kind, Long> kinds = TestData.kinds(messages);
    assertTrue(kinds.getOrDefault(Kind.BOT, 0L) > 0 && kinds.getOrDefault(Kind.INVALID, 0L) > 0
        && kinds.getOrDefault(Kind.UNDECODABLE, 0L) > 0, "every kind of input is present: " + kinds);

    Map<String, TestData.Sent> valid = sent.stream().filter(s -> s.message().kind() == Kind.VALID)
        .collect(Collectors.toMap(s -> s.message().event().eventId(), s -> s));
    Map<String, TestData.Sent> bad = sent.stream()
        .filter(s -> s.message().kind() == Kind.INVALID || s.message().kind() == Kind.UNDECODABLE)
        .collect(Collectors.toMap(s -> s.partition() + ":" + s.offset(), s -> s));

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "all events and dead letters committed",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals(valid.size() + "/" + bad.size()));

      Set<String> storedIds = db.rows("SELECT event_id FROM clickstream_events").stream()
          .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
      assertEquals(valid.keySet(), storedIds, "exactly the valid, non-bot events are stored");

      assertStoredFieldByField(db, valid);
      assertDeadLetterTable(db, bad);
      assertDeadLetterTopic(infra, config, bad);
      assertEquals(kinds.get(Kind.BOT).doubleValue(), app.metrics().totalBots(), "bots counted, not stored");
      assertEquals((double) messages.size(), app.metrics().totalConsumed());
      assertExampleQueriesRun(db);
    } finally {
      app.stop();
    }
  }

  /** sql/queries.sql is documentation that must keep working against the real schema. */
  private static void assertExampleQueriesRun(Db db) {
    String file;
    try {
      file = Files.readString(Path.of("sql/queries.sql"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String withoutComments = file.lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"));
    int ran = 0;
    for (String statement : withoutComments.split(";")) {
      if (!statement.isBlank()) {
        db.rows(statement);
        ran++;
      }
    }
    assertTrue(ran >= 5, "example queries ran: " + ran);
  }

  private static void assertStoredFieldByField(Db db, Map<String, TestData.Sent> valid) {
    List<Map<String, Object>> rows = db.rows("SELECT * FROM clickstream_events ORDER BY event_id LIMIT 300");
    assertEquals(300, rows.size());
    for (Map<String, Object> row : rows) {
      StoredRows.assertMatches(valid.get((String) row.get("event_id")).message().event(), row);
    }
  }

  private static void assertDeadLetterTable(Db db, Map<String, TestData.Sent> bad) {
    List<Map<String, Object>> rows = db.rows("SELECT * FROM dead_letter_events");
    Map<String, Map<String, Object>> byPosition = new HashMap<>();
    rows.forEach(r -> byPosition.put(r.get("source_partition") + ":" + r.get("source_offset"), r));
    assertEquals(bad.keySet(), byPosition.keySet(), "exactly the bad messages are dead-lettered");
    bad.forEach((position, s) -> {
      Map<String, Object> row = byPosition.get(position);
      String reason = (String) row.get("error_reason");
      if (s.message().kind() == Kind.INVALID) {
        assertEquals(EventRules.invalidReason(s.message().event()), reason, position);
      } else {
        assertFalse(reason.isBlank(), position);
      }
      assertEquals(s.message().value().length, payloadBytes(row).length, position + " payload kept whole");
    });
  }

  private static byte[] payloadBytes(Map<String, Object> row) {
    String payload = (String) row.get("original_payload");
    return "base64".equals(row.get("payload_encoding")) ? Base64.getDecoder().decode(payload)
        : payload.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertDeadLetterTopic(TestInfra infra, PipelineConfig config, Map<String, TestData.Sent> bad) {
    List<ConsumerRecord<String, byte[]>> records = Await.until(Duration.ofSeconds(60), "DLQ topic filled",
        () -> TestData.readAll(infra.bootstrapServers, config.kafka().dlqTopic(), bad.size(), Duration.ofSeconds(5)),
        r -> r.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).size() >= bad.size());
    Set<String> keys = records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
    Set<String> expectedKeys = bad.keySet().stream().map(p -> config.kafka().clickstreamTopic() + ":" + p)
        .collect(Collectors.toSet());
    assertEquals(expectedKeys, keys, "the DLQ topic holds exactly the bad messages (at least once)");
    for (ConsumerRecord<String, byte[]> record : records) {
      JsonObject envelope = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
      for (String field : List.of("original_payload", "payload_encoding", "error_reason", "source_topic",
          "source_partition", "source_offset", "failed_at", "failed_at_iso")) {
        assertTrue(envelope.containsKey(field), field + " in " + envelope);
      }
      assertEquals(record.key(), envelope.getString("source_topic") + ":" + envelope.getInteger("source_partition")
          + ":" + envelope.getLong("source_offset"));
    }
  }
}
