package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
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
import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import io.streampipeline.ingest.IngestVerticle;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A log truncated below the stored position and written again (KIP-320), on a real broker of its own: a single
 * node whose partition lost the tail of its log while it was down, as after an unclean leader election or a disk
 * that lost unflushed writes. The pipeline reads partition 0 up to offset 100 and stores the position with the
 * leader epoch of its last record; the broker stops; its log is cut back to offset 60 (its indexes and clean-shutdown
 * mark removed, so it recovers the segment as it would after a crash); it starts again under a new leader epoch and
 * new records take offsets 60 and on. The offsets alone look fine (100 is inside the new log [0, 140]); only the
 * leader epoch tells the consumer that the records it read at 60-99 are not those of the log any more.
 */
class TruncatedLogIT {
  private static final int READ = 100;
  private static final int KEPT = 60;
  private static final int WRITTEN_AGAIN = 80;

  private final ClickstreamCodec codec = new ClickstreamCodec();

  /** Users the default partitioner puts in partition 0 of 6, so the records are keyed as the pipeline expects. */
  private static List<String> usersOfPartitionZero(int count) {
    List<String> users = new ArrayList<>();
    for (int i = 0; users.size() < count; i++) {
      String user = "user_" + i;
      if (Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % Topics.EVENT_PARTITIONS == 0) {
        users.add(user);
      }
    }
    return users;
  }

  private ProducerRecord<String, byte[]> event(String topic, String id, String user, long timestamp) {
    ClickstreamEvent e = new ClickstreamEvent(UUID.nameUUIDFromBytes(id.getBytes()).toString(), EventType.PAGE_VIEW,
        timestamp, user, "00000000-0000-4000-8000-000000000001", null, null, null, null, null, "https://shop.example/",
        null, "Mozilla/5.0", "192.0.2.9", "DE", null);
    return new ProducerRecord<>(topic, 0, user, codec.encode(e));
  }

  /** One record per batch, each acknowledged before the next, so the log can be cut at any record. */
  private List<RecordMetadata> produce(String bootstrap, String topic, String prefix, int count, long base)
      throws Exception {
    List<String> users = usersOfPartitionZero(8);
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("linger.ms", "0");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    List<RecordMetadata> sent = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        sent.add(producer.send(event(topic, prefix + i, users.get(i % users.size()), base + i * 1000L)).get());
      }
    }
    return sent;
  }

  /**
   * Cuts partition 0's log back to {@code keep} records while the broker is down, and removes what a crashed broker
   * would not have either: the segment's indexes (rebuilt from the log) and the clean-shutdown mark (so the segment
   * is recovered, and the leader epoch cache, producer state and checkpoints are brought back to the log's end).
   */
  private static void truncate(Path logDir, String topic, long keep) throws IOException {
    Path partitionDir = logDir.resolve(topic + "-0");
    Path segment = partitionDir.resolve(String.format("%020d.log", 0));
    long cutAt = -1;
    try (FileRecords records = FileRecords.open(segment.toFile())) {
      for (FileChannelRecordBatch batch : records.batches()) {
        if (batch.baseOffset() >= keep) {
          assertEquals(keep, batch.baseOffset(), "one record per batch");
          cutAt = batch.position();
          break;
        }
      }
    }
    assertTrue(cutAt > 0, "the segment holds offset " + keep);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(cutAt);
    }
    try (Stream<Path> files = Files.list(partitionDir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".index") || name.endsWith(".timeindex") || name.endsWith(".snapshot")) {
          Files.delete(f);
        }
      }
    }
    Files.deleteIfExists(logDir.resolve(".kafka_cleanshutdown"));
  }

  private static double truncations(Application app) {
    return app.metrics().registry().find("stream_pipeline_offset_out_of_range").tag("reason", "truncated")
        .counters().stream().mapToDouble(Counter::count).sum();
  }

  private record Setup(Path logDir, int port, PipelineConfig config, Db db) {
  }

  /** A broker of its own, partition 0 read up to offset 100 and stored, then truncated to 60 and refilled to 140. */
  private Setup readThenTruncateAndRefill(String name, Map<String, String> overrides) throws Exception {
    TestInfra infra = TestInfra.get();
    Path logDir = Files.createTempDirectory("truncated-log-kafka");
    int port = Ports.free();
    String database = infra.createDatabase();
    Map<String, String> settings = new HashMap<>(infra.pipelineConfig(database, name));
    settings.putAll(overrides);
    EmbeddedKafka kafka = EmbeddedKafka.start(logDir, port);
    settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Db db = new Db(infra, database);
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    try {
      Topics.ensure(kafka.bootstrapServers(), config);
      List<RecordMetadata> first = produce(kafka.bootstrapServers(), topic, "first-", READ, base);
      assertEquals(READ - 1, first.get(READ - 1).offset());
      Application app = new Application(config).start();
      try {
        Await.until(Duration.ofSeconds(90), "partition 0 read and stored to offset " + READ,
            () -> db.count("SELECT coalesce(max(next_offset), 0) FROM pipeline_checkpoints WHERE partition = 0"),
            n -> n == READ);
      } finally {
        app.stop();
      }
      assertEquals(1, db.count("SELECT count(*) FROM pipeline_checkpoints WHERE partition = 0 "
          + "AND leader_epoch IS NOT NULL AND topic_id IS NOT NULL"), "the log's identity stored with the offset");
    } finally {
      kafka.close();
    }
    truncate(logDir, topic, KEPT);
    kafka = EmbeddedKafka.start(logDir, port);
    try {
      List<RecordMetadata> again = produce(kafka.bootstrapServers(), topic, "again-", WRITTEN_AGAIN,
          base + Duration.ofHours(1).toMillis());
      assertEquals(KEPT, again.get(0).offset(), "the new records take the offsets of the lost ones");
      List<ConsumerRecord<String, byte[]>> log = TestData.readAll(kafka.bootstrapServers(), topic,
          KEPT + WRITTEN_AGAIN, Duration.ofSeconds(30));
      int epochBefore = log.stream().filter(r -> r.offset() == 0).findFirst().orElseThrow().leaderEpoch().orElseThrow();
      int epochAfter = log.stream().filter(r -> r.offset() == KEPT).findFirst().orElseThrow().leaderEpoch()
          .orElseThrow();
      assertTrue(epochAfter > epochBefore, "the restarted broker leads under a new epoch: " + epochBefore + " → "
          + epochAfter);
    } catch (Throwable t) {
      kafka.close();
      throw t;
    }
    kafkas.add(kafka);
    return new Setup(logDir, port, config, db);
  }

  private final List<EmbeddedKafka> kafkas = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopBrokers() {
    kafkas.forEach(EmbeddedKafka::close);
  }

  @Test
  void aLogTruncatedBelowTheStoredOffsetIsReadFromWhereItDiverged() throws Exception {
    Setup setup = readThenTruncateAndRefill("truncated", Map.of());
    Db db = setup.db();
    ch.qos.logback.classic.Logger lanes = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(IngestVerticle.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    lanes.addAppender(lines);
    Application app = new Application(setup.config()).start();
    try {
      Await.until(Duration.ofSeconds(90), "every record written again stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == READ + WRITTEN_AGAIN);
      assertEquals(1.0, truncations(app), "reported once, as a truncation");
      Await.until(Duration.ofSeconds(30), "the position follows the new log",
          () -> db.count("SELECT next_offset FROM pipeline_checkpoints WHERE partition = 0"),
          n -> n == KEPT + WRITTEN_AGAIN);
    } finally {
      app.stop();
      lanes.detachAppender(lines);
    }
    List<String> errors = lines.list.stream().filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(1, errors.stream().filter(l -> l.contains("truncated") && l.contains("diverging at " + KEPT)
        && l.contains("reading on from the divergence " + KEPT)).count(), errors.toString());
  }

  @Test
  void withHaltATruncatedLogIsHeld() throws Exception {
    Setup setup = readThenTruncateAndRefill("truncated-halted", Map.of("PIPELINE_OFFSET_OUT_OF_RANGE", "halt"));
    Db db = setup.db();
    Application app = new Application(setup.config()).start();
    try {
      Await.until(Duration.ofSeconds(90), "the truncation found", () -> truncations(app), n -> n == 1.0);
      // Long enough for a partition read anyway to have checkpointed (flushes every 0.5 s).
      Thread.sleep(3000);
      assertEquals(READ, db.count("SELECT next_offset FROM pipeline_checkpoints WHERE partition = 0"),
          "the stored position is left for the operator");
    } finally {
      app.stop();
    }
    assertEquals(READ, db.count("SELECT count(*) FROM clickstream_events"), "nothing of the new records read");
  }

  /**
   * The same truncation while the pipeline runs: the broker goes down under a running lane, loses the tail of its
   * log, comes back under a new leader epoch and the offsets are written again. Whether the lane notices the log
   * end below what it read or the consumer going back on its own after validating its position, the partition is
   * restored and the truncation found: every record written again is stored.
   */
  @Test
  void aLogTruncatedUnderARunningLaneIsFoundAndReadFromWhereItDiverged() throws Exception {
    TestInfra infra = TestInfra.get();
    Path logDir = Files.createTempDirectory("truncated-log-kafka");
    int port = Ports.free();
    String database = infra.createDatabase();
    Map<String, String> settings = new HashMap<>(infra.pipelineConfig(database, "truncated-running"));
    EmbeddedKafka kafka = EmbeddedKafka.start(logDir, port);
    settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Db db = new Db(infra, database);
    String topic = config.kafka().clickstreamTopic();
    long base = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    Topics.ensure(kafka.bootstrapServers(), config);
    Application app = new Application(config).start();
    try {
      produce(kafka.bootstrapServers(), topic, "first-", READ, base);
      Await.until(Duration.ofSeconds(90), "partition 0 read and stored to offset " + READ,
          () -> db.count("SELECT coalesce(max(next_offset), 0) FROM pipeline_checkpoints WHERE partition = 0"),
          n -> n == READ);
      kafka.close();
      truncate(logDir, topic, KEPT);
      kafka = EmbeddedKafka.start(logDir, port);
      List<RecordMetadata> again = produce(kafka.bootstrapServers(), topic, "again-", WRITTEN_AGAIN,
          base + Duration.ofHours(1).toMillis());
      assertEquals(KEPT, again.get(0).offset(), "the new records take the offsets of the lost ones");
      Application running = app;
      Await.until(Duration.ofSeconds(120), "every record written again stored",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == READ + WRITTEN_AGAIN);
      Await.until(Duration.ofSeconds(30), "the position follows the new log",
          () -> db.count("SELECT next_offset FROM pipeline_checkpoints WHERE partition = 0"),
          n -> n == KEPT + WRITTEN_AGAIN);
      assertEquals(1.0, truncations(running), "reported once, as a truncation");
    } finally {
      app.stop();
      kafka.close();
    }
  }
}
