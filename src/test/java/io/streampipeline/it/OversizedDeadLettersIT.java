package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.infra.Topics;
import io.streampipeline.sink.DeadLetterRows;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Dead letters too big for a Kafka message (a body of control characters is six times longer once JSON-escaped,
 * a non-UTF-8 body a third longer in base64) are cut on the DLQ topic and marked payload_truncated; one that the
 * broker still refuses is marked published with its reason. Either way the outbox never stalls: every other
 * row is sent once and the good events are stored.
 */
class OversizedDeadLettersIT {
  private static final int CONTROL_BYTES = 175_000;
  private static final int BINARY_BYTES = 800_000;

  private record Input(List<ProducerRecord<String, byte[]>> records, long valid, long deadLetters, byte[] control,
      byte[] binary) {
  }

  private static Input input(PipelineConfig config, long seed) {
    long t0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    List<GeneratedMessage> messages = TestData.generate(seed, 600, 0.05, t0, 200);
    byte[] control = new byte[CONTROL_BYTES];
    Arrays.fill(control, (byte) 0x01);
    byte[] binary = new byte[BINARY_BYTES];
    new Random(seed).nextBytes(binary);
    binary[0] = (byte) 0xFF;
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      GeneratedMessage m = messages.get(i);
      records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), m.key(), m.value()));
      if (i == 200) {
        records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), 0, "control", control));
      }
      if (i == 400) {
        records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), 1, "binary", binary));
      }
    }
    Map<Kind, Long> kinds = TestData.kinds(messages);
    long bad = kinds.getOrDefault(Kind.INVALID, 0L) + kinds.getOrDefault(Kind.UNDECODABLE, 0L);
    assertTrue(bad > 5, "small dead letters too: " + kinds);
    return new Input(records, kinds.getOrDefault(Kind.VALID, 0L), bad + 2, control, binary);
  }

  private static Map<String, Object> rowOf(Db db, int partition, String sizeReason) {
    List<Map<String, Object>> rows = db.rows("SELECT * FROM dead_letter_events WHERE source_partition = "
        + partition + " AND error_reason = '" + sizeReason + "'");
    assertEquals(1, rows.size(), sizeReason);
    return rows.get(0);
  }

  private static String sizeReason(int bytes) {
    return "message of " + bytes + " bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (65536)";
  }

  /**
   * Every record on the DLQ topic up to its end offset, by key; fails on a key sent twice. Read after every row
   * is published, so nothing more can come.
   */
  private static Map<String, JsonObject> dlqTopic(TestInfra infra, PipelineConfig config) {
    Properties props = new Properties();
    props.put("bootstrap.servers", infra.bootstrapServers);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    Map<String, JsonObject> byKey = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition partition = new TopicPartition(config.kafka().dlqTopic(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      Await.until(Duration.ofSeconds(60), "the DLQ topic read to its end offset " + end, () -> {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          assertTrue(record.value().length <= DeadLetterRows.MAX_ENVELOPE_BYTES, record.key() + ": "
              + record.value().length + " bytes");
          JsonObject envelope = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
          assertNull(byKey.put(record.key(), envelope), "sent once: " + record.key());
        }
        return consumer.position(partition);
      }, position -> position >= end);
    }
    return byKey;
  }

  @Test
  void oversizedDeadLettersAreCutOnTheTopicAndNothingStalls() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "oversized-dlq"));
    Topics.ensure(infra.bootstrapServers, config);
    Input input = input(config, 1701L);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), input.records(), null);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "events stored, dead letters written and all of them published",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events WHERE NOT published"),
          counts -> counts.equals(input.valid() + "/" + input.deadLetters() + "/0"));

      Map<String, Object> control = rowOf(db, 0, sizeReason(CONTROL_BYTES));
      assertEquals("utf8", control.get("payload_encoding"));
      assertEquals(new String(input.control(), StandardCharsets.UTF_8), control.get("original_payload"),
          "the table keeps the whole payload");
      Map<String, Object> binary = rowOf(db, 1, sizeReason(BINARY_BYTES));
      assertEquals("base64", binary.get("payload_encoding"));
      assertArrayEquals(input.binary(), Base64.getDecoder().decode((String) binary.get("original_payload")));
      assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events WHERE publish_error IS NOT NULL"));

      Map<String, JsonObject> topic = dlqTopic(infra, config);
      Set<String> rowKeys = db.rows("SELECT source_topic, source_partition, source_offset FROM dead_letter_events")
          .stream().map(r -> r.get("source_topic") + ":" + r.get("source_partition") + ":" + r.get("source_offset"))
          .collect(Collectors.toSet());
      assertEquals(rowKeys, topic.keySet(), "every dead letter on the topic, once");
      String controlKey = config.kafka().clickstreamTopic() + ":0:" + control.get("source_offset");
      String binaryKey = config.kafka().clickstreamTopic() + ":1:" + binary.get("source_offset");
      topic.forEach((key, envelope) -> assertEquals(key.equals(controlKey) || key.equals(binaryKey),
          envelope.getBoolean("payload_truncated"), "payload_truncated of " + key));
      assertTrue(((String) control.get("original_payload")).startsWith(
          topic.get(controlKey).getString("original_payload")));
      byte[] firstBytes = Base64.getDecoder().decode(topic.get(binaryKey).getString("original_payload"));
      assertArrayEquals(Arrays.copyOf(input.binary(), firstBytes.length), firstBytes);
      assertFalse(unsendable(app, config) > 0);
    } finally {
      app.stop();
    }
  }

  @Test
  void aDeadLetterTheBrokerRefusesIsMarkedWithTheReasonAndTheOthersAreSent() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "refused-dlq"));
    // A DLQ topic whose brokers take messages of 100,000 bytes at most: the cut base64 envelope (256 KiB, which
    // lz4 cannot shrink much) is refused for good; the cut control-character one compresses and passes.
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers);
    try (Admin client = Admin.create(admin)) {
      client.createTopics(List.of(new NewTopic(config.kafka().dlqTopic(), 1, (short) 1)
          .configs(Map.of("max.message.bytes", "100000")))).all().get(60, TimeUnit.SECONDS);
    }
    Topics.ensure(infra.bootstrapServers, config);
    Input input = input(config, 1702L);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), input.records(), null);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "events stored, dead letters written and all of them settled",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events WHERE NOT published"),
          counts -> counts.equals(input.valid() + "/" + input.deadLetters() + "/0"));

      Map<String, Object> binary = rowOf(db, 1, sizeReason(BINARY_BYTES));
      String publishError = (String) binary.get("publish_error");
      assertTrue(publishError != null && publishError.startsWith("RecordTooLargeException: "), publishError);
      assertArrayEquals(input.binary(), Base64.getDecoder().decode((String) binary.get("original_payload")),
          "the row keeps all its data");
      assertEquals(1, db.count("SELECT count(*) FROM dead_letter_events WHERE publish_error IS NOT NULL"));
      assertEquals(1.0, unsendable(app, config));

      Map<String, JsonObject> topic = dlqTopic(infra, config);
      Set<String> sentKeys = db.rows("SELECT source_topic, source_partition, source_offset FROM dead_letter_events "
              + "WHERE publish_error IS NULL").stream()
          .map(r -> r.get("source_topic") + ":" + r.get("source_partition") + ":" + r.get("source_offset"))
          .collect(Collectors.toSet());
      assertEquals(input.deadLetters() - 1, sentKeys.size());
      assertEquals(sentKeys, topic.keySet(), "every other dead letter on the topic, once");
      Map<String, Object> control = rowOf(db, 0, sizeReason(CONTROL_BYTES));
      assertTrue(topic.get(config.kafka().clickstreamTopic() + ":0:" + control.get("source_offset"))
          .getBoolean("payload_truncated"));
    } finally {
      app.stop();
    }
  }

  private static double unsendable(Application app, PipelineConfig config) {
    Counter counter = app.metrics().registry().find("stream_pipeline_outbox_unsendable")
        .tag("topic", config.kafka().dlqTopic()).counter();
    return counter == null ? 0 : counter.count();
  }
}
