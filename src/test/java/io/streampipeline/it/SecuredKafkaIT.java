package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.infra.StartupException;
import io.streampipeline.infra.Topics;
import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.DeployGuide;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.SecuredKafka;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a Kafka that only speaks SASL_SSL (SCRAM-SHA-512, a certificate from a CA made by the
 * test), configured the way the deploy section of docs/operations.md says: KAFKA_PROPERTY_* keys, nothing rebuilt. It creates its
 * topics, consumes, writes PostgreSQL and publishes dead letters and windows through that listener; a wrong
 * password stops start-up with one line.
 */
class SecuredKafkaIT {
  private static final long T0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();

  @TempDir
  static Path dir;
  private static SecuredKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = SecuredKafka.start(dir);
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void consumesWritesAndPublishesThroughSaslSsl() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> keys = infra.pipelineConfig(database, "sasl");
    Map<String, String> kafkaKeys = kafka.pipelineKeys(SecuredKafka.PASSWORD);
    DeployGuide.assertSameSettings(DeployGuide.block("KAFKA_"), kafkaKeys, Set.of(
        "KAFKA_PROPERTY_SECURITY_PROTOCOL", "KAFKA_PROPERTY_SASL_MECHANISM", "KAFKA_PROPERTY_SSL_TRUSTSTORE_TYPE"));
    keys.putAll(kafkaKeys);
    PipelineConfig config = ConfigLoader.fromMap(keys);
    Map<String, String> client = kafka.clientProperties(SecuredKafka.PASSWORD);

    List<GeneratedMessage> messages = TestData.generate(20261130L, 900, 0.05, T0, 1000);
    Map<Kind, Long> kinds = TestData.kinds(messages);
    long valid = kinds.getOrDefault(Kind.VALID, 0L);
    long bad = kinds.getOrDefault(Kind.INVALID, 0L) + kinds.getOrDefault(Kind.UNDECODABLE, 0L);
    assertTrue(valid > 0 && bad > 0, "valid and bad input: " + kinds);

    // The pipeline creates its topics itself, through SASL_SSL.
    Application app = new Application(config).start();
    try {
      TestData.send(kafka.bootstrapServers(), client, messages.stream()
          .map(m -> new ProducerRecord<>(config.kafka().clickstreamTopic(), m.key(), m.value())).toList(), messages);
      Db db = new Db(infra, database);
      Await.until(Duration.ofSeconds(120), "events and dead letters stored",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals(valid + "/" + bad));

      List<ConsumerRecord<String, byte[]>> deadLetters = TestData.readAll(kafka.bootstrapServers(), client,
          config.kafka().dlqTopic(), (int) bad, Duration.ofSeconds(60));
      assertEquals(bad, deadLetters.size(), "every dead letter published through SASL_SSL");
      List<ConsumerRecord<String, byte[]>> windows = TestData.readAll(kafka.bootstrapServers(), client,
          config.kafka().aggregatedTopic(), 1, Duration.ofSeconds(90));
      assertFalse(windows.isEmpty(), "closed windows published through SASL_SSL");

      String metrics = Http.get("http://127.0.0.1:" + config.metricsPort() + "/metrics").body();
      assertTrue(metrics.contains("stream_pipeline_"), "metrics are served");
      assertFalse(metrics.contains(SecuredKafka.PASSWORD), "no secret in the metrics");
      assertFalse(config.toString().contains(SecuredKafka.PASSWORD), "no secret in the configuration's toString");
    } finally {
      app.stop();
    }
  }

  @Test
  void plaintextToTheTlsListenerEndsInATimeOutThatNamesTheLikelyCause() {
    TestInfra infra = TestInfra.get();
    Map<String, String> keys = infra.pipelineConfig("unused", "sasl-plain");
    keys.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    PipelineConfig config = ConfigLoader.fromMap(keys);
    StartupException e = assertThrows(StartupException.class,
        () -> Topics.ensure(kafka.bootstrapServers(), config));
    assertTrue(e.getMessage().startsWith("Kafka at " + kafka.bootstrapServers() + " did not answer within "),
        e.getMessage());
    assertTrue(e.getMessage().contains("security.protocol (KAFKA_PROPERTY_SECURITY_PROTOCOL) matches the listener"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void wrongPasswordStopsStartUpWithOneLine() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> env = infra.pipelineConfig(database, "sasl-wrong");
    String wrong = "not-the-password-31c7";
    env.putAll(kafka.pipelineKeys(wrong));
    try (PipelineProcess process = PipelineProcess.start(env)) {
      int exit = process.waitFor(180);
      String output = process.output();
      assertEquals(2, exit, output);
      // The Kafka client may log its own line about the refusal too; ours is the one that says what to check.
      List<String> errors = output.lines().filter(l -> l.contains("stream-pipeline cannot start")).toList();
      assertEquals(1, errors.size(), output);
      assertTrue(errors.get(0).contains("stream-pipeline cannot start: Kafka at " + kafka.bootstrapServers()
          + " refused the client's credentials"), output);
      assertTrue(errors.get(0).contains("KAFKA_PROPERTY_SASL_JAAS_CONFIG"), output);
      assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
      assertFalse(output.contains(wrong), "the password is not shown:\n" + output);
    }
  }
}
