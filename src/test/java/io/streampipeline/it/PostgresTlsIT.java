package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.PostgresSslMode;
import io.streampipeline.config.Secret;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.StartupException;
import io.streampipeline.infra.Topics;
import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.DeployGuide;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestCertificates;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a PostgreSQL that serves TLS with a certificate from a CA made by the test (the embedded
 * server with ssl=on), configured as the deploy section of docs/operations.md says: POSTGRES_SSL_MODE=verify-full,
 * POSTGRES_SSL_ROOT_CERT, the password from POSTGRES_PASSWORD_FILE. Its pools and JDBC all use TLS; a CA that did
 * not sign the server's certificate, or more connections than the server allows, stop start-up with one line.
 */
class PostgresTlsIT {
  private static final long T0 = Instant.parse("2026-11-22T09:00:00Z").toEpochMilli();
  /** Small, so the connection check can be shown to refuse without starting many lanes. */
  private static final int MAX_CONNECTIONS = 20;

  @TempDir
  static Path dir;
  private static EmbeddedPostgres postgres;
  private static TestCertificates certificates;
  private static TestCertificates otherCa;
  private static Path passwordFile;

  @BeforeAll
  static void startServer() throws Exception {
    certificates = TestCertificates.create(dir.resolve("tls"), "stream-pipeline PostgreSQL test CA");
    otherCa = TestCertificates.create(dir.resolve("other-tls"), "some other CA");
    postgres = EmbeddedPostgres.start(dir.resolve("postgres"), Ports.free(), Map.of("ssl", "on",
        "ssl_cert_file", certificates.serverCert.toString(), "ssl_key_file", certificates.serverKey.toString(),
        "max_connections", String.valueOf(MAX_CONNECTIONS)));
    passwordFile = dir.resolve("postgres-password");
    Files.writeString(passwordFile, EmbeddedPostgres.NAME + "\n");
  }

  @AfterAll
  static void stopServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private Map<String, String> keys(String name, Path rootCert) {
    TestInfra infra = TestInfra.get();
    Map<String, String> keys = infra.pipelineConfig(EmbeddedPostgres.NAME, name);
    keys.remove("POSTGRES_PASSWORD");
    keys.put("POSTGRES_HOST", "127.0.0.1");
    keys.put("POSTGRES_PORT", String.valueOf(postgres.port()));
    keys.put("POSTGRES_USER", EmbeddedPostgres.NAME);
    keys.put("POSTGRES_PASSWORD_FILE", passwordFile.toString());
    keys.put("POSTGRES_SSL_MODE", "verify-full");
    keys.put("POSTGRES_SSL_ROOT_CERT", rootCert.toString());
    keys.put("POSTGRES_POOL_SIZE", "2");
    return keys;
  }

  private static Endpoints endpoints(PostgresSslMode mode, Path rootCert) {
    return new Endpoints("unused:9092", KafkaClientProperties.none(), "127.0.0.1", postgres.port(),
        EmbeddedPostgres.NAME, EmbeddedPostgres.NAME, Secret.of(EmbeddedPostgres.NAME), mode, rootCert);
  }

  @Test
  void verifyFullConnectsAndThePipelineWorks() throws Exception {
    TestInfra infra = TestInfra.get();
    Map<String, String> keys = keys("pgtls", certificates.caCert);
    DeployGuide.assertSameSettings(DeployGuide.block("POSTGRES_"), keys, Set.of("POSTGRES_SSL_MODE",
        "POSTGRES_POOL_SIZE"));
    PipelineConfig config = ConfigLoader.fromMap(keys);
    Topics.ensure(infra.bootstrapServers, config);
    List<GeneratedMessage> messages = TestData.generate(20261122L, 500, 0.0, T0, 500);
    long valid = TestData.kinds(messages).getOrDefault(Kind.VALID, 0L);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages);
    Endpoints jdbc = endpoints(PostgresSslMode.VERIFY_FULL, certificates.caCert);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(120), "events stored over TLS", () -> count(jdbc,
          "SELECT count(*) FROM clickstream_events WHERE event_timestamp_ms >= " + T0), n -> n == valid);
      long pipelineConnections = count(jdbc, "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
          + "WHERE a.application_name = 'stream-pipeline' AND s.ssl AND s.pid <> pg_backend_pid()");
      long plain = count(jdbc, "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
          + "WHERE a.application_name = 'stream-pipeline' AND NOT s.ssl");
      assertTrue(pipelineConnections >= 2, "the lane's pools are connected over TLS: " + pipelineConnections);
      assertEquals(0, plain, "no connection of the pipeline without TLS");
      assertEquals(1, count(jdbc, "SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl"),
          "JDBC from the same settings uses TLS too");
    } finally {
      app.stop();
    }
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> count(endpoints(PostgresSslMode.VERIFY_FULL, otherCa.caCert), "SELECT 1"));
    assertTrue(refused.getCause() instanceof SQLException && refused.getMessage().contains("SSL"),
        "JDBC with another CA is refused: " + refused.getMessage());
  }

  @Test
  void wrongCaStopsStartUpWithOneLine() throws Exception {
    Map<String, String> env = keys("pgtls-wrong-ca", otherCa.caCert);
    try (PipelineProcess process = PipelineProcess.start(env)) {
      int exit = process.waitFor(180);
      String output = process.output();
      assertEquals(2, exit, output);
      List<String> errors = output.lines().filter(l -> l.contains("ERROR")).toList();
      assertEquals(1, errors.size(), output);
      assertTrue(errors.get(0).contains("stream-pipeline cannot start: the TLS handshake with PostgreSQL at 127.0.0.1:"
          + postgres.port() + " failed"), output);
      assertTrue(errors.get(0).contains("POSTGRES_SSL_ROOT_CERT"), output);
      assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
    }
  }

  @Test
  void moreConnectionsThanTheServerAllowsStopStartUp() {
    Map<String, String> keys = keys("pgtls-budget", certificates.caCert);
    keys.put("PIPELINE_INSTANCES", "4");
    keys.put("POSTGRES_POOL_SIZE", "5");
    PipelineConfig config = ConfigLoader.fromMap(keys);
    StartupException e = assertThrows(StartupException.class, () -> new Application(config).start());
    assertTrue(e.getMessage().startsWith("PostgreSQL at 127.0.0.1:" + postgres.port() + " has room for "),
        e.getMessage());
    assertTrue(e.getMessage().contains("max_connections=" + MAX_CONNECTIONS), e.getMessage());
    assertTrue(e.getMessage().contains("needs 28 (PIPELINE_INSTANCES=4 x (POSTGRES_POOL_SIZE=5 + 1)"),
        e.getMessage());
  }

  private static long count(Endpoints endpoints, String sql) {
    try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl(), endpoints.jdbcProperties());
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
