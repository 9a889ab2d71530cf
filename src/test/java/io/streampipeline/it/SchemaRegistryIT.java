package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.NodeRegistryProducer;
import io.streampipeline.it.support.RegistryStandIn;
import io.streampipeline.it.support.StoredRows;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.infra.Topics;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Schema Registry wire format against a registry stand-in that speaks Confluent's REST API: events written
 * by Confluent's own Node client (two writer schemas, the second newer with an added field) are stored field
 * for field next to single-object and schemaless ones; an id no registry knows goes to the DLQ; a registry
 * outage holds the lane and dead-letters nothing; closed windows and the generator's events go out
 * registry-framed and are read back; an https registry is trusted through SCHEMA_REGISTRY_SSL_ROOT_CERT.
 */
class SchemaRegistryIT {
  private static final String USER_INFO = "pipeline:stand-in-secret";
  private static final long T0 = Instant.parse("2026-11-22T09:00:00Z").toEpochMilli();
  private static final String V1 = ClickstreamCodec.V1.toString();
  /** v1 plus a field with a default: a compatible newer writer the jar has never seen. */
  private static final String NEWER = V1.substring(0, V1.lastIndexOf(']'))
      + ",{\"name\":\"campaign\",\"type\":\"string\",\"default\":\"none\"}]}";

  private static Map<String, String> settings(TestInfra infra, String database, String name, RegistryStandIn registry) {
    Map<String, String> settings = infra.pipelineConfig(database, name);
    settings.put("SCHEMA_REGISTRY_URL", registry.url());
    settings.put("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", USER_INFO);
    return settings;
  }

  @Test
  void eventsFromConfluentsNodeClientAreStoredFieldForFieldNextToTheOtherFormats() {
    NodeRegistryProducer.ensureInstalled();
    TestInfra infra = TestInfra.get();
    try (RegistryStandIn registry = new RegistryStandIn(USER_INFO)) {
      String database = infra.createDatabase();
      Map<String, String> settings = settings(infra, database, "registry-in", registry);
      settings.put("AGGREGATED_WIRE_FORMAT", "registry");
      // Every record is in Kafka before the start: the wall-clock idle rule closes the half-hour sessions too.
      settings.put("WINDOW_IDLE_RULE", "wall-clock");
      PipelineConfig config = ConfigLoader.fromMap(settings);
      Topics.ensure(infra.bootstrapServers, config);
      String topic = config.kafka().clickstreamTopic();

      List<GeneratedMessage> messages = TestData.generate(20261130L, 1200, 0.0, T0, 500);
      List<ClickstreamEvent> fromNode = messages.subList(0, 800).stream().filter(m -> m.kind() == Kind.VALID)
          .map(GeneratedMessage::event).toList();
      List<ClickstreamEvent> viaV1 = fromNode.subList(0, fromNode.size() / 2);
      List<ClickstreamEvent> viaNewer = fromNode.subList(fromNode.size() / 2, fromNode.size());
      int v1Id = NodeRegistryProducer.produce(infra.bootstrapServers, topic, registry.url(), USER_INFO, V1,
          viaV1.stream().map(NodeRegistryProducer::json).toList());
      int newerId = NodeRegistryProducer.produce(infra.bootstrapServers, topic, registry.url(), USER_INFO, NEWER,
          viaNewer.stream().map(e -> NodeRegistryProducer.json(e).put("campaign", "spring-sale")).toList());
      assertNotEquals(v1Id, newerId, "the newer writer schema got an id of its own");

      // Single-object and schemaless messages (and bots) from our own producer, in the same partitions.
      List<GeneratedMessage> fromJava = messages.subList(800, messages.size());
      TestData.send(infra.bootstrapServers, topic, fromJava);
      // A frame naming an id that no registry handed out.
      byte[] unknownId = RegistryFraming.frame(4242, new ClickstreamCodec().encodeSchemaless(fromNode.get(0)), 0);
      TestData.send(infra.bootstrapServers, topic, List.of(new ProducerRecord<>(topic, "u", unknownId)), null);

      Map<String, ClickstreamEvent> expected = new HashMap<>();
      fromNode.forEach(e -> expected.put(e.eventId(), e));
      fromJava.stream().filter(m -> m.kind() == Kind.VALID).forEach(m -> expected.put(m.event().eventId(), m.event()));

      Application app = new Application(config).start();
      try {
        Db db = new Db(infra, database);
        Await.until(Duration.ofSeconds(120), "all events stored and the unknown id dead-lettered",
            () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
                + db.count("SELECT count(*) FROM dead_letter_events"),
            counts -> counts.equals(expected.size() + "/1"));
        List<Map<String, Object>> rows = db.rows("SELECT * FROM clickstream_events");
        assertEquals(expected.keySet(), rows.stream().map(r -> (String) r.get("event_id")).collect(Collectors.toSet()));
        rows.forEach(row -> StoredRows.assertMatches(expected.get((String) row.get("event_id")), row));
        assertEquals("unknown schema registry id 4242 (registry: Schema 4242 not found)",
            db.rows("SELECT error_reason FROM dead_letter_events").get(0).get("error_reason"));
        // Three ids in some 500 framed messages: looked up once each (a retried request may add one or two).
        assertTrue(registry.lookups() >= 3 && registry.lookups() < 10, "lookups: " + registry.lookups());

        assertClosedWindowsGoOutRegistryFramed(infra, config, registry, db, expected.size());
      } finally {
        app.stop();
      }
    }
  }

  private static void assertClosedWindowsGoOutRegistryFramed(TestInfra infra, PipelineConfig config,
      RegistryStandIn registry, Db db, long events) {
    WindowChecks.awaitAllEmitted(db, events);
    Await.until(Duration.ofSeconds(60), "every window published",
        () -> db.count("SELECT count(*) FROM aggregated_outbox"), n -> n == 0);
    Set<String> windowIds = db.rows("SELECT window_id FROM aggregated_metrics").stream()
        .map(r -> (String) r.get("window_id")).collect(Collectors.toSet());
    Integer id = registry.latestId(config.kafka().aggregatedTopic() + "-value");
    assertNotNull(id, "AggregatedMetrics registered under " + config.kafka().aggregatedTopic() + "-value");
    assertEquals(new Schema.Parser().parse(registry.schema(id)), AggregatedCodec.V2);

    RegistrySchemas schemas = new RegistrySchemas(AggregatedCodec.V2, "AggregatedMetrics v2");
    schemas.found(id, null, registry.schema(id));
    AggregatedCodec codec = new AggregatedCodec();
    codec.useRegistry(schemas);
    List<ConsumerRecord<String, byte[]>> records = TestData.readAll(infra.bootstrapServers, config.kafka().aggregatedTopic(),
        windowIds.size(), Duration.ofSeconds(30));
    Set<String> published = records.stream().map(r -> {
      assertArrayEquals(RegistryFraming.header(id), Arrays.copyOf(r.value(), RegistryFraming.HEADER_LENGTH));
      try {
        WindowResult window = codec.decode(r.value());
        assertEquals(r.key(), window.windowId());
        return window.windowId();
      } catch (DecodeException e) {
        throw new AssertionError(e);
      }
    }).collect(Collectors.toSet());
    assertEquals(windowIds, published, "every closed window on the topic, registry-framed");
  }

  @Test
  void aRegistryOutageDuringARunHoldsTheLaneUntilItIsBackAndLosesNothing() {
    TestInfra infra = TestInfra.get();
    try (RegistryStandIn registry = new RegistryStandIn(USER_INFO)) {
      String database = infra.createDatabase();
      PipelineConfig config = ConfigLoader.fromMap(settings(infra, database, "registry-outage", registry));
      Topics.ensure(infra.bootstrapServers, config);
      String topic = config.kafka().clickstreamTopic();
      int v1Id = registry.register(topic + "-value", V1);
      int newerId = registry.register(topic + "-value", NEWER);
      List<GeneratedMessage> messages = TestData.generate(77001L, 3000, 0.0, T0, 200);
      List<GeneratedMessage> before = messages.subList(0, 1500);
      List<GeneratedMessage> during = messages.subList(1500, messages.size());
      Set<String> expected = messages.stream().filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId())
          .collect(Collectors.toSet());
      long expectedBefore = before.stream().filter(m -> m.kind() == Kind.VALID).count();

      Application app = new Application(config).start();
      try {
        Db db = new Db(infra, database);
        TestData.send(infra.bootstrapServers, topic, framed(topic, before, v1Id, newerId, false), before);
        Await.until(Duration.ofSeconds(90), "the first part stored",
            () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == expectedBefore);

        // The registry goes down; then events arrive with an id the lane has not looked up yet.
        registry.unavailable(true);
        TestData.send(infra.bootstrapServers, topic, framed(topic, during, v1Id, newerId, true), during);
        Await.until(Duration.ofSeconds(60), "the lane retrying the lookup", registry::refusedLookups, n -> n >= 3);
        assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"), "an unreachable registry is no bad input");
        assertTrue(db.count("SELECT count(*) FROM clickstream_events") < expected.size());
        registry.stopListening();
        Await.sleep(3000);
        assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"), "nor is a closed port");
        registry.startListening();
        registry.unavailable(false);

        Await.until(Duration.ofSeconds(120), "everything stored once the registry is back",
            () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == expected.size());
        assertEquals(expected, db.rows("SELECT event_id FROM clickstream_events").stream()
            .map(r -> (String) r.get("event_id")).collect(Collectors.toSet()));
        assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"));
        assertEquals((double) messages.size(), app.metrics().totalConsumed());
      } finally {
        app.stop();
      }
    }
  }

  /**
   * The generated messages with every single-object one re-framed for the registry: with the v1 id, or, every
   * other one when {@code mixNewer}, with the newer schema's id and a body that carries its extra field.
   */
  private static List<ProducerRecord<String, byte[]>> framed(String topic, List<GeneratedMessage> messages, int v1Id,
      int newerId, boolean mixNewer) {
    byte[] v1Header = ClickstreamCodec.v1Header();
    // The newer schema's last field, campaign = "autumn": Avro string, zigzag length 6 (12), then its bytes.
    byte[] campaign = {12, 'a', 'u', 't', 'u', 'm', 'n'};
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      byte[] value = messages.get(i).value();
      if (Arrays.equals(value, 0, v1Header.length, v1Header, 0, v1Header.length)) {
        if (mixNewer && i % 2 == 0) {
          byte[] body = Arrays.copyOfRange(value, v1Header.length, value.length + campaign.length);
          System.arraycopy(campaign, 0, body, body.length - campaign.length, campaign.length);
          value = RegistryFraming.frame(newerId, body, 0);
        } else {
          value = RegistryFraming.fromSingleObject(value, v1Id);
        }
      }
      records.add(new ProducerRecord<>(topic, messages.get(i).key(), value));
    }
    return records;
  }

  @Test
  void theGeneratorAndTheOutboxWriteRegistryFramingThatThePipelineAndDashboardRead() {
    TestInfra infra = TestInfra.get();
    try (RegistryStandIn registry = new RegistryStandIn(USER_INFO)) {
      String database = infra.createDatabase();
      Map<String, String> settings = settings(infra, database, "registry-out", registry);
      settings.put("ROLES", "generator,pipeline,dashboard");
      settings.put("PRODUCER_WIRE_FORMAT", "registry");
      settings.put("AGGREGATED_WIRE_FORMAT", "registry");
      settings.put("PRODUCER_MAX_EVENTS", "400");
      settings.put("PRODUCER_EVENTS_PER_SECOND", "400");
      settings.put("PRODUCER_ERROR_RATE", "0");
      settings.put("PRODUCER_SEED", "11");
      settings.put("WINDOW_TUMBLING_WINDOW_SECONDS", "2");
      settings.put("WINDOW_ALLOWED_LATENESS_SECONDS", "0");
      PipelineConfig config = ConfigLoader.fromMap(settings);
      Topics.ensure(infra.bootstrapServers, config);

      Application app = new Application(config).start();
      try {
        Db db = new Db(infra, database);
        Await.until(Duration.ofSeconds(90), "the generator's events consumed", () -> app.metrics().totalConsumed(),
            n -> n == 400.0);
        long stored = Await.until(Duration.ofSeconds(60), "stored", () -> db.count("SELECT count(*) FROM clickstream_events"),
            n -> n + (long) app.metrics().totalBots() == 400);
        assertTrue(stored > 0);
        assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"));

        Integer id = registry.latestId(config.kafka().clickstreamTopic() + "-value");
        assertNotNull(id, "ClickstreamEvent v1 registered by the generator");
        List<ConsumerRecord<String, byte[]>> records = TestData.readAll(infra.bootstrapServers,
            config.kafka().clickstreamTopic(), 400, Duration.ofSeconds(30));
        assertEquals(400, records.size());
        long framed = records.stream().filter(r -> Arrays.equals(RegistryFraming.header(id),
            Arrays.copyOf(r.value(), RegistryFraming.HEADER_LENGTH))).count();
        long singleObject = records.stream().filter(r -> r.value()[0] == (byte) 0xC3).count();
        assertEquals(0, singleObject, "no single-object messages once the generator writes registry framing");
        assertTrue(framed > 300, "registry-framed: " + framed + " (the rest schemaless)");

        String base = "http://127.0.0.1:" + config.dashboard().port() + "/";
        JsonObject latest = Await.until(Duration.ofSeconds(60), "the dashboard showing registry-framed windows",
            () -> new JsonObject(Http.get(base + "api/stats").body()).getJsonObject("latest")
                .getJsonObject("events_per_minute"), w -> w != null);
        assertEquals("events_per_minute", latest.getString("window_type"));
        assertNotNull(registry.latestId(config.kafka().aggregatedTopic() + "-value"));
      } finally {
        app.stop();
      }
    }
  }

  @Test
  void anHttpsRegistryIsTrustedThroughTheConfiguredRootCertificate(@TempDir Path dir) throws Exception {
    Path keyStore = dir.resolve("registry.p12");
    Path rootCert = dir.resolve("registry-ca.pem");
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", "stand-in-store");
    keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", keyStore.toString(),
        "-storepass", "stand-in-store", "-file", rootCert.toString());
    TestInfra infra = TestInfra.get();
    try (RegistryStandIn registry = new RegistryStandIn(USER_INFO, keyStore, "stand-in-store")) {
      assertTrue(registry.url().startsWith("https://"));
      String database = infra.createDatabase();
      Map<String, String> settings = settings(infra, database, "registry-tls", registry);
      settings.put("SCHEMA_REGISTRY_SSL_ROOT_CERT", rootCert.toString());
      PipelineConfig config = ConfigLoader.fromMap(settings);
      Topics.ensure(infra.bootstrapServers, config);
      int id = registry.register(config.kafka().clickstreamTopic() + "-value", V1);
      List<GeneratedMessage> messages = TestData.generate(4430L, 300, 0.0, T0, 1000).stream()
          .filter(m -> m.kind() == Kind.VALID).toList();
      ClickstreamCodec codec = new ClickstreamCodec();
      TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages.stream()
          .map(m -> new ProducerRecord<>(config.kafka().clickstreamTopic(), m.key(),
              RegistryFraming.frame(id, codec.encodeSchemaless(m.event()), 0))).toList(), messages);

      Application app = new Application(config).start();
      try {
        Db db = new Db(infra, database);
        Await.until(Duration.ofSeconds(90), "all events stored through the https registry",
            () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == messages.size());
        assertEquals(0, db.count("SELECT count(*) FROM dead_letter_events"));
        assertTrue(registry.lookups() >= 1);
      } finally {
        app.stop();
      }
    }
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "keytool " + String.join(" ", args) + ": " + output);
  }
}
