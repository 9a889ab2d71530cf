package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.infra.Topics;
import io.streampipeline.sink.DeadLetterRows;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter replay end to end, run as an operator runs it ({@code java -jar ... --roles=replay-dlq})
 * against a running pipeline: events refused for a fixable cause (a CHECK constraint) go to the DLQ, a dry
 * run counts them and sends nothing, the cause is removed, the replay sends the original bytes with their
 * source headers and each event is then stored exactly once; events that are still bad come back to the DLQ
 * linked to their first entry; a second replay sends nothing; --again sends rows again.
 */
class ReplayDlqIT {
  private static final String POISON = "https://poison/";
  private static final String REFUSED = "https://refused/";

  @Test
  void deadLettersAreReplayedOnceAndStillBadOnesComeBackLinked() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    db.execute("ALTER TABLE clickstream_events ADD CONSTRAINT no_poison CHECK (page_url <> '" + POISON + "')");
    // A cause that is not fixed: these are refused again after the replay.
    db.execute("ALTER TABLE clickstream_events ADD CONSTRAINT still_refused CHECK (page_url <> '" + REFUSED + "')");
    Map<String, String> settings = infra.pipelineConfig(database, "replay");
    PipelineConfig config = ConfigLoader.fromMap(settings);
    String topic = config.kafka().clickstreamTopic();
    Topics.ensure(infra.bootstrapServers, config);

    ClickstreamCodec codec = new ClickstreamCodec();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    Set<String> poisonIds = new HashSet<>();
    List<byte[]> stillBad = new ArrayList<>();
    for (int i = 0; i < 225; i++) {
      boolean poison = i % 11 == 3 && poisonIds.size() < 20;
      boolean invalid = !poison && i % 40 == 7;
      String id = UUID.randomUUID().toString();
      if (poison) {
        poisonIds.add(id);
      }
      ClickstreamEvent e = new ClickstreamEvent(id, EventType.PAGE_VIEW, 1_790_000_000_000L + i * 1000L,
          invalid ? "" : "user_" + (i % 13), UUID.randomUUID().toString(), null, null, null, null, null,
          poison ? POISON : "https://shop.example/p/" + i, null, "Mozilla/5.0", "192.0.2.9", "SE", null);
      byte[] bytes = codec.encode(e);
      if (invalid) {
        stillBad.add(bytes);
      }
      records.add(new ProducerRecord<>(topic, "user_" + (i % 13), bytes));
    }
    for (int i = 0; i < 3; i++) {
      records.add(new ProducerRecord<>(topic, "user_" + i, codec.encode(new ClickstreamEvent(
          UUID.randomUUID().toString(), EventType.PAGE_VIEW, 1_790_000_300_000L + i, "user_" + i,
          UUID.randomUUID().toString(), null, null, null, null, null, REFUSED, null, "Mozilla/5.0", "192.0.2.9", "SE",
          null))));
    }
    // Undecodable: not UTF-8 with a NUL (stored as base64), text (stored as text), a broken UTF-8 sequence.
    for (byte[] garbage : List.of(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, "not avro at all".getBytes(
        StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x28})) {
      stillBad.add(garbage);
      records.add(new ProducerRecord<>(topic, "garbage", garbage));
    }
    assertEquals(20, poisonIds.size());
    assertEquals(8, stillBad.size(), "5 invalid and 3 undecodable");
    TestData.send(infra.bootstrapServers, topic, records, null);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(90), "good rows stored and 31 dead letters",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"), s -> s.equals("200/31"));
      List<Map<String, Object>> firstEntries = db.rows("SELECT * FROM dead_letter_events ORDER BY id");
      assertEquals(20, firstEntries.stream().filter(r -> reason(r).contains("\"no_poison\"")).count());
      long offsetsBefore = endOffsets(infra, topic);

      Map<String, String> env = new HashMap<>(settings);
      env.remove("ROLES");

      // A dry run counts by reason and touches nothing.
      String dry = replay(env, "--dry-run");
      assertTrue(dry.contains("31 dead letters would be sent to " + topic), dry);
      assertTrue(dry.contains("      20  rejected by PostgreSQL: "), dry);
      assertTrue(dry.contains("       5  empty user_id"), dry);
      assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events WHERE replayed_at IS NOT NULL"));
      assertEquals(offsetsBefore, endOffsets(infra, topic), "a dry run sends nothing");

      // A topic that does not exist: one clear line, exit 1, nothing marked (and the topic is not created).
      try (PipelineProcess missing = PipelineProcess.start(env, "--roles=replay-dlq", "--to-topic=" + topic + ".x")) {
        assertEquals(1, missing.waitFor(180), missing.output());
        assertTrue(missing.output().contains("replay-dlq failed: cannot send to topic " + topic
            + ".x: it does not exist"), missing.output());
      }
      assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events WHERE replayed_at IS NOT NULL"));

      // The cause is fixed; the replay sends everything once.
      db.execute("ALTER TABLE clickstream_events DROP CONSTRAINT no_poison");
      String first = replay(env);
      assertTrue(first.contains("replay-dlq: 31 sent so far"), first);
      assertTrue(first.contains("replay-dlq finished: 31 sent to " + topic + ", 0 skipped"), first);
      assertTrue(first.contains("      20  rejected by PostgreSQL: "), first);
      assertEquals(offsetsBefore + 31, endOffsets(infra, topic));

      Await.until(Duration.ofSeconds(90), "fixed events stored, still-bad ones back in the DLQ",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"), s -> s.equals("220/42"));
      assertEquals(poisonIds, db.rows("SELECT event_id FROM clickstream_events WHERE page_url = '" + POISON + "'")
          .stream().map(r -> (String) r.get("event_id")).collect(Collectors.toSet()), "each stored exactly once");
      assertEquals(31, db.count("SELECT count(*) FROM dead_letter_events WHERE replay_of IS NULL "
          + "AND replayed_at IS NOT NULL AND replay_count = 1"));

      // What was sent: the stored bytes exactly (for the undecodable and invalid ones, the bytes first read),
      // to the partition first read from, with headers naming the source and the dead letter.
      Map<Long, Map<String, Object>> byId = new HashMap<>();
      firstEntries.forEach(r -> byId.put(((Number) r.get("id")).longValue(), r));
      List<ConsumerRecord<String, byte[]>> replayed = TestData.readAll(infra.bootstrapServers, topic,
          (int) offsetsBefore + 31, Duration.ofSeconds(60)).stream()
          .filter(r -> r.headers().lastHeader("dlq.replay.of") != null).toList();
      assertEquals(31, replayed.size());
      for (ConsumerRecord<String, byte[]> r : replayed) {
        Map<String, Object> row = byId.get(Long.parseLong(header(r, "dlq.replay.of")));
        assertNotNull(row, header(r, "dlq.replay.of"));
        byte[] stored = DeadLetterRows.payloadBytes((String) row.get("original_payload"),
            (String) row.get("payload_encoding"));
        assertArrayEquals(stored, r.value());
        assertEquals(row.get("source_topic"), header(r, "dlq.source.topic"));
        assertEquals(String.valueOf(row.get("source_partition")), header(r, "dlq.source.partition"));
        assertEquals(String.valueOf(row.get("source_offset")), header(r, "dlq.source.offset"));
        assertEquals(((Number) row.get("source_partition")).intValue(), r.partition(), "back to its partition");
        assertNull(r.key());
      }
      Set<String> stillBadSent = replayed.stream().filter(r -> !reason(byId.get(Long.parseLong(
          header(r, "dlq.replay.of")))).startsWith("rejected by PostgreSQL")).map(r -> hex(r.value()))
          .collect(Collectors.toSet());
      assertEquals(stillBad.stream().map(ReplayDlqIT::hex).collect(Collectors.toSet()), stillBadSent,
          "the bytes first read, exactly");

      // Still bad (undecodable, invalid, or refused by PostgreSQL again): a new row each, with its reason,
      // linked to the first entry with the same bytes.
      List<Map<String, Object>> returned = db.rows("SELECT * FROM dead_letter_events WHERE replay_of IS NOT NULL");
      assertEquals(11, returned.size());
      assertEquals(3, returned.stream().filter(r -> reason(r).contains("still_refused")).count());
      Set<Long> linkedTo = new HashSet<>();
      for (Map<String, Object> row : returned) {
        Map<String, Object> firstEntry = byId.get(((Number) row.get("replay_of")).longValue());
        assertNotNull(firstEntry, row.toString());
        assertEquals(firstEntry.get("original_payload"), row.get("original_payload"));
        assertEquals(firstEntry.get("payload_encoding"), row.get("payload_encoding"));
        assertEquals(reason(firstEntry), reason(row));
        assertNull(row.get("replayed_at"));
        linkedTo.add(((Number) row.get("replay_of")).longValue());
      }
      assertEquals(11, linkedTo.size(), "one return per still-bad first entry");

      // A second run sends nothing: the first entries are marked, the returned rows are not candidates.
      long offsetsAfterFirst = endOffsets(infra, topic);
      String second = replay(env);
      assertTrue(second.contains("replay-dlq finished: 0 sent to " + topic + ", 31 skipped"), second);
      assertEquals(offsetsAfterFirst, endOffsets(infra, topic), "a second replay sends nothing");

      // --again sends rows replayed before (here two of the invalid ones), and they come back linked again.
      String again = replay(env, "--again", "--reason=EMPTY USER_ID", "--limit=2");
      assertTrue(again.contains("replay-dlq finished: 2 sent to " + topic + ", 0 skipped"), again);
      assertEquals(offsetsAfterFirst + 2, endOffsets(infra, topic));
      Await.until(Duration.ofSeconds(60), "the two resent invalid events back in the DLQ",
          () -> db.count("SELECT count(*) FROM dead_letter_events"), n -> n == 44);
      assertEquals(2, db.count("SELECT count(*) FROM dead_letter_events WHERE replay_count = 2 "
          + "AND error_reason = 'empty user_id'"));
      assertEquals(4, db.count("SELECT count(*) FROM dead_letter_events d WHERE d.replay_of IN "
          + "(SELECT id FROM dead_letter_events WHERE replay_count = 2)"), "each linked to its first entry");
      assertEquals(220, db.count("SELECT count(*) FROM clickstream_events"));
    } finally {
      app.stop();
    }
  }

  private static String replay(Map<String, String> env, String... flags) throws InterruptedException {
    String[] args = new String[flags.length + 1];
    args[0] = "--roles=replay-dlq";
    System.arraycopy(flags, 0, args, 1, flags.length);
    try (PipelineProcess process = PipelineProcess.start(env, args)) {
      int exit = process.waitFor(180);
      System.out.println("[ReplayDlqIT] " + String.join(" ", args) + ":\n" + process.output());
      assertEquals(0, exit, process.output());
      return process.output();
    }
  }

  private static long endOffsets(TestInfra infra, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", infra.bootstrapServers);
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static String reason(Map<String, Object> row) {
    return (String) row.get("error_reason");
  }

  private static String header(ConsumerRecord<?, ?> record, String key) {
    Header h = record.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
