package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsAreTheContractOnes() {
    PipelineConfig c = ConfigLoader.fromMap(Map.of());
    assertNull(c.kafka().bootstrapServers());
    assertNull(c.postgres().host());
    assertEquals("clickstream.events", c.kafka().clickstreamTopic());
    assertEquals("clickstream.aggregated", c.kafka().aggregatedTopic());
    assertEquals("clickstream.dlq", c.kafka().dlqTopic());
    assertEquals("stream-pipeline-consumers", c.kafka().consumerGroup());
    assertEquals(100.0, c.generator().eventsPerSecond());
    assertEquals(1000, c.generator().numUsers());
    assertEquals(500, c.generator().numProducts());
    assertEquals(0.02, c.generator().errorRate());
    assertEquals(500, c.sink().batchSize());
    assertEquals(5000, c.sink().flushIntervalMs());
    assertEquals(60_000, c.windows().tumblingMs());
    assertEquals(300_000, c.windows().revenueMs());
    assertEquals(1_800_000, c.windows().sessionTimeoutMs());
    assertEquals(10_000, c.windows().allowedLatenessMs());
    assertEquals(10_000, c.windows().idleMs());
    assertEquals(IdleRule.EVENT_TIME, c.windows().idleRule());
    assertEquals(5432, c.postgres().port());
    assertEquals(8000, c.dashboard().port());
    assertEquals(9090, c.metricsPort());
    assertEquals(Set.of(Role.GENERATOR, Role.PIPELINE, Role.DASHBOARD), c.roles());
    assertEquals(1, c.lanes().instances());
    assertEquals(GeneratorSettings.UNLIMITED, c.generator().maxEvents());
    assertNull(c.generator().seed());
    assertEquals(9092, c.embedded().kafkaPort());
    assertEquals(5433, c.embedded().postgresPort());
  }

  @Test
  void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pipeline.json");
    Files.writeString(file, "{\"SINK_BATCH_SIZE\": 42, \"DASHBOARD_PORT\": 8100, \"ROLES\": \"generator\"}");
    PipelineConfig c = ConfigLoader.load(Map.of("CONFIG_FILE", file.toString(), "DASHBOARD_PORT", "8200"),
        new String[] {"--roles=pipeline,dashboard", "--pipeline-instances=3"});
    assertEquals(42, c.sink().batchSize());
    assertEquals(8200, c.dashboard().port());
    assertEquals(Set.of(Role.PIPELINE, Role.DASHBOARD), c.roles());
    assertEquals(3, c.lanes().instances());
  }

  @Test
  void badValuesNameTheKeyInOneLine() {
    assertBad(Map.of("PRODUCER_EVENTS_PER_SECOND", "fast"),
        "Invalid configuration: PRODUCER_EVENTS_PER_SECOND='fast' is not a number");
    assertBad(Map.of("PRODUCER_EVENTS_PER_SECOND", "-5"),
        "Invalid configuration: PRODUCER_EVENTS_PER_SECOND='-5' must be between 0 and 10000000");
    assertBad(Map.of("DASHBOARD_PORT", "70000"),
        "Invalid configuration: DASHBOARD_PORT='70000' is out of range (1-65535)");
    assertBad(Map.of("METRICS_PORT", "0"), "Invalid configuration: METRICS_PORT='0' is out of range (1-65535)");
    assertBad(Map.of("SINK_BATCH_SIZE", "1.5"), "Invalid configuration: SINK_BATCH_SIZE='1.5' is not a whole number");
    assertBad(Map.of("PRODUCER_ERROR_RATE", "2"),
        "Invalid configuration: PRODUCER_ERROR_RATE='2' must be between 0 and 1");
    assertBad(Map.of("ROLES", "pipeline,ui"), "Invalid configuration: ROLES='pipeline,ui' names an unknown role "
        + "'ui' (known: generator, pipeline, dashboard, bench, replay-dlq)");
    assertBad(Map.of("POSTGRES_PORT", "five"), "Invalid configuration: POSTGRES_PORT='five' is not a port number");
  }

  @Test
  void unreadableConfigFileIsNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{not json");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(Map.of("CONFIG_FILE", file.toString()), new String[0]));
    assertTrue(e.getMessage().startsWith("Invalid configuration: CONFIG_FILE='" + file + "' is not readable JSON"));
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void theIdleRuleIsNamedByItsConfigName() {
    assertEquals(IdleRule.WALL_CLOCK,
        ConfigLoader.fromMap(Map.of("WINDOW_IDLE_RULE", "Wall-Clock")).windows().idleRule());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.fromMap(Map.of("WINDOW_IDLE_RULE", "now")));
    assertEquals("Invalid configuration: WINDOW_IDLE_RULE='now' must be one of event-time, wall-clock", e.getMessage());
  }

  @Test
  void dashboardAccessSettings(@TempDir Path dir) throws Exception {
    DashboardAccess open = ConfigLoader.fromMap(Map.of()).dashboard().access();
    assertEquals("127.0.0.1", open.host());
    assertNull(open.authToken());
    assertEquals(List.of(), open.allowedOrigins());
    assertFalse(open.tls());

    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "from-a-file-0123456789\n");
    DashboardAccess set = ConfigLoader.fromMap(Map.of("DASHBOARD_HOST", "0.0.0.0", "DASHBOARD_AUTH_TOKEN_FILE",
        tokenFile.toString(), "DASHBOARD_ALLOWED_ORIGINS", "https://Ops.example.com, http://10.0.0.5:8080"))
        .dashboard().access();
    assertEquals("0.0.0.0", set.host());
    assertEquals("from-a-file-0123456789", set.authToken());
    assertEquals(List.of("https://ops.example.com", "http://10.0.0.5:8080"), set.allowedOrigins());
    assertFalse(ConfigLoader.fromMap(Map.of("DASHBOARD_AUTH_TOKEN", "0123456789abcdefXYZ")).toString()
        .contains("0123456789abcdefXYZ"), "the token is not in the config's text");

    assertBad(Map.of("DASHBOARD_AUTH_TOKEN", "short"), "Invalid configuration: DASHBOARD_AUTH_TOKEN='(hidden)' must "
        + "be at least 16 printable ASCII characters without spaces");
    assertBad(Map.of("DASHBOARD_ALLOWED_ORIGINS", "https://ok.example,*"), "Invalid configuration: "
        + "DASHBOARD_ALLOWED_ORIGINS='https://ok.example,*' holds '*', which is not an origin like https://host or "
        + "http://host:8080 (no path, no wildcard)");
    assertBad(Map.of("DASHBOARD_TLS_CERT", tokenFile.toString()), "Invalid configuration: DASHBOARD_TLS_KEY='' is "
        + "missing: set both DASHBOARD_TLS_CERT and DASHBOARD_TLS_KEY (PEM files) or neither");
    assertBad(Map.of("DASHBOARD_TLS_CERT", tokenFile.toString(), "DASHBOARD_TLS_KEY", "/no/such.pem"),
        "Invalid configuration: DASHBOARD_TLS_KEY='/no/such.pem' does not exist");
  }

  @Test
  void operationsKeys() {
    OpsConfig ops = ConfigLoader.fromMap(Map.of()).ops();
    assertEquals(OpsConfig.defaults(), ops);
    assertEquals(OpsConfig.Migrate.ONLY, ConfigLoader.fromMap(Map.of("POSTGRES_MIGRATE", "only")).ops()
        .postgresMigrate());
    assertEquals(new OpsConfig(OpsConfig.Migrate.CHECK, "json", 400, 7, 90, 60_000), ConfigLoader.fromMap(Map.of(
        "POSTGRES_MIGRATE", "FALSE", "RETENTION_DAYS_EVENTS", "400",
        "LOG_FORMAT", "JSON", "RETENTION_DAYS_DLQ", "7", "RETENTION_DAYS_WINDOWS", "90",
        "RETENTION_INTERVAL_SECONDS", "60")).ops());
    assertBad(Map.of("POSTGRES_MIGRATE", "yes"),
        "Invalid configuration: POSTGRES_MIGRATE='yes' must be one of true, false, only");
    assertBad(Map.of("LOG_FORMAT", "xml"), "Invalid configuration: LOG_FORMAT='xml' must be one of text, json");
    assertBad(Map.of("RETENTION_DAYS_DLQ", "-1"),
        "Invalid configuration: RETENTION_DAYS_DLQ='-1' must be between 0 and 36500");
  }

  @Test
  void knownKeysAreTheKeysTheLoaderReads() {
    var keys = ConfigLoader.knownKeys();
    assertTrue(keys.containsAll(java.util.List.of("KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_PASSWORD", "METRICS_PORT",
        "POSTGRES_MIGRATE", "LOG_FORMAT", "RETENTION_DAYS_DLQ", "ROLES", "CONFIG_FILE")), keys.toString());
    assertTrue(!keys.contains("POSTGRES_PASSWORD_TYPO"));
  }

  private static void assertBad(Map<String, String> values, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(values));
    assertEquals(message, e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
