package io.streampipeline.it.support;

import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft broker in this JVM whose client listener is SASL_SSL with SCRAM-SHA-512, as managed
 * Kafka services and most secured clusters run it: TLS with a certificate signed by a test CA, and a SCRAM user
 * written into the metadata log when the storage is formatted. Brokers and controller talk over loopback
 * PLAINTEXT listeners that clients are never told about.
 */
public final class SecuredKafka implements AutoCloseable {
  public static final String USER = "pipeline";
  public static final String PASSWORD = "kafka-scram-secret-6d1f";

  private final KafkaRaftServer server;
  private final int port;
  private final TestCertificates certificates;

  private SecuredKafka(KafkaRaftServer server, int port, TestCertificates certificates) {
    this.server = server;
    this.port = port;
    this.certificates = certificates;
  }

  public static SecuredKafka start(Path dir) {
    try {
      TestCertificates certificates = TestCertificates.create(dir.resolve("tls"), "stream-pipeline Kafka test CA");
      Path logDir = dir.resolve("kafka");
      Files.createDirectories(logDir);
      int port = Ports.free();
      int internal = Ports.free();
      int controller = Ports.free();
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
      p.put("listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internal
          + ",CONTROLLER://127.0.0.1:" + controller);
      // Clients are sent to "localhost", the name in the certificate, so they check the host name as usual.
      p.put("advertised.listeners", "SASL_SSL://localhost:" + port + ",INTERNAL://127.0.0.1:" + internal);
      p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "INTERNAL");
      p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put("listener.name.sasl_ssl.ssl.keystore.type", "PEM");
      p.put("listener.name.sasl_ssl.ssl.keystore.location", certificates.serverKeyAndCert.toString());
      KafkaRaftServer server = startWithScramUser(p, logDir, USER, PASSWORD);
      return new SecuredKafka(server, port, certificates);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a single-node broker with these settings (plus the shared single-node ones), its storage formatted with
   * one SCRAM-SHA-512 user written into the metadata log, as a secured cluster's administrator would create it.
   */
  static KafkaRaftServer startWithScramUser(Properties p, Path logDir, String user, String password)
      throws IOException {
    EmbeddedKafka.singleNode(p, logDir);
    Path propsFile = logDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      p.store(out, "test broker with a SCRAM user");
    }
    ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
    int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
        propsFile.toString(), "--add-scram", "SCRAM-SHA-512=[name=" + user + ",password=" + password + "]"},
        new PrintStream(formatLog, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("formatting the broker's storage failed: " + formatLog);
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
    server.startup();
    return server;
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  public TestCertificates certificates() {
    return certificates;
  }

  /** The client settings, as a Kafka client takes them. */
  public Map<String, String> clientProperties(String password) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("security.protocol", "SASL_SSL");
    c.put("sasl.mechanism", "SCRAM-SHA-512");
    c.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + USER + "\" password=\"" + password + "\";");
    c.put("ssl.truststore.type", "PEM");
    c.put("ssl.truststore.location", certificates.caCert.toString());
    return c;
  }

  /**
   * The same settings as the pipeline's KAFKA_PROPERTY_* environment variables, as docs/operations.md's deploy section
   * writes them: the JAAS line (it holds the password) in a file named by KAFKA_PROPERTY_SASL_JAAS_CONFIG_FILE.
   */
  public Map<String, String> pipelineKeys(String password) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
    clientProperties(password).forEach((name, value) -> {
      String key = "KAFKA_PROPERTY_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
      if (name.equals("sasl.jaas.config")) {
        try {
          Path file = Files.createTempFile(certificates.caCert.getParent(), "kafka-jaas", "");
          Files.writeString(file, value + "\n");
          keys.put(key + "_FILE", file.toString());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        keys.put(key, value);
      }
    });
    return keys;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
