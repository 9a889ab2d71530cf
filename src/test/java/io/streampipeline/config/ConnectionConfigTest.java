package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.infra.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection keys of ConfigLoader: Kafka client properties, secrets from files, PostgreSQL TLS, topics. */
class ConnectionConfigTest {
  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
      + "username=\"pipeline\" password=\"s3cret-kafka\";";

  @Test
  void defaultsConnectPlainlyAndCreateTopics() {
    ConnectionSettings c = ConfigLoader.fromMap(Map.of()).connections();
    assertTrue(c.kafkaProperties().isEmpty());
    assertNull(c.topicReplicationFactor());
    assertNull(c.topicMinInsyncReplicas());
    assertTrue(c.createTopics());
    assertNull(c.postgresSslMode());
    assertEquals(PostgresSslMode.PREFER, c.postgresSslMode(false));
    assertEquals(PostgresSslMode.DISABLE, c.postgresSslMode(true));
    assertEquals(2, c.postgresPoolSize());
  }

  @Test
  void kafkaPropertyKeysBecomeClientSettings() {
    ConnectionSettings c = ConfigLoader.fromMap(Map.of("KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_PROPERTY_SASL_MECHANISM", "SCRAM-SHA-512", "KAFKA_PROPERTY_SASL_JAAS_CONFIG", JAAS,
        "KAFKA_PROPERTY_SSL_TRUSTSTORE_TYPE", "PEM")).connections();
    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS,
        "ssl.truststore.type", "PEM"), c.kafkaProperties().asMap());
  }

  @Test
  void propertiesFileUnderEnvironmentProperties(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SSL\nssl.truststore.location=/etc/ca.pem\nlinger.ms = 20\n");
    ConnectionSettings c = ConfigLoader.load(Map.of("KAFKA_PROPERTIES_FILE", file.toString(),
        "KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"), new String[0]).connections();
    assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.truststore.location", "/etc/ca.pem", "linger.ms", "20"),
        c.kafkaProperties().asMap());
  }

  @Test
  void flagsWorkToo() {
    ConnectionSettings c = ConfigLoader.load(Map.of(), new String[] {"--kafka-property-security-protocol=SSL",
        "--postgres-ssl-mode=require"}).connections();
    assertEquals(Map.of("security.protocol", "SSL"), c.kafkaProperties().asMap());
    assertEquals(PostgresSslMode.REQUIRE, c.postgresSslMode());
  }

  @Test
  void missingPropertiesFileIsOneLineNamingTheKey(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertBad(Map.of("KAFKA_PROPERTIES_FILE", missing.toString()),
        "Invalid configuration: KAFKA_PROPERTIES_FILE='" + missing + "' does not exist");
    assertBad(Map.of("KAFKA_PROPERTIES_FILE", dir.toString()),
        "Invalid configuration: KAFKA_PROPERTIES_FILE='" + dir + "' is not a readable file");
  }

  @Test
  void settingsThePipelineOwnsAreRefused() {
    assertBad(Map.of("KAFKA_PROPERTY_ENABLE_AUTO_COMMIT", "true"), "Invalid configuration: "
        + "KAFKA_PROPERTY_ENABLE_AUTO_COMMIT='true' sets enable.auto.commit, which the pipeline sets itself (exactly "
        + "once depends on it)");
    assertBad(Map.of("KAFKA_PROPERTY_BOOTSTRAP_SERVERS", "x:9092"), "Invalid configuration: "
        + "KAFKA_PROPERTY_BOOTSTRAP_SERVERS='x:9092' sets bootstrap.servers, which the pipeline sets itself (use "
        + "KAFKA_BOOTSTRAP_SERVERS)");
  }

  @Test
  void anySecretComesFromAFile(@TempDir Path dir) throws Exception {
    Path password = dir.resolve("pg-password");
    Files.writeString(password, "from-a-file\n");
    Path jaas = dir.resolve("jaas");
    Files.writeString(jaas, JAAS);
    PipelineConfig c = ConfigLoader.fromMap(Map.of("POSTGRES_PASSWORD_FILE", password.toString(),
        "KAFKA_PROPERTY_SASL_JAAS_CONFIG_FILE", jaas.toString(), "POSTGRES_USER_FILE", password.toString()));
    assertEquals("from-a-file", c.postgres().password().reveal());
    assertEquals("from-a-file", c.postgres().user());
    assertEquals(Map.of("sasl.jaas.config", JAAS), c.connections().kafkaProperties().asMap());
  }

  @Test
  void missingPasswordFileIsOneLineNamingTheKey(@TempDir Path dir) {
    Path missing = dir.resolve("password");
    assertBad(Map.of("POSTGRES_PASSWORD_FILE", missing.toString()),
        "Invalid configuration: POSTGRES_PASSWORD_FILE='" + missing + "' does not exist");
    assertBad(Map.of("KAFKA_PROPERTY_SASL_JAAS_CONFIG_FILE", missing.toString()),
        "Invalid configuration: KAFKA_PROPERTY_SASL_JAAS_CONFIG_FILE='" + missing + "' does not exist");
  }

  @Test
  void valueAndFileTogetherAreRefused(@TempDir Path dir) throws Exception {
    Path password = dir.resolve("pw");
    Files.writeString(password, "x");
    assertBad(Map.of("POSTGRES_PASSWORD", "y", "POSTGRES_PASSWORD_FILE", password.toString()),
        "Invalid configuration: POSTGRES_PASSWORD_FILE='" + password + "' is set together with POSTGRES_PASSWORD: "
            + "set only one of them");
  }

  @Test
  void postgresTlsKeys(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");
    ConnectionSettings c = ConfigLoader.fromMap(Map.of("POSTGRES_SSL_MODE", "verify-full",
        "POSTGRES_SSL_ROOT_CERT", ca.toString(), "POSTGRES_POOL_SIZE", "4")).connections();
    assertEquals(PostgresSslMode.VERIFY_FULL, c.postgresSslMode(false));
    assertEquals(ca, c.postgresSslRootCert());
    assertEquals(4, c.postgresPoolSize());
    for (String mode : new String[] {"disable", "prefer", "require", "verify-ca", "verify-full"}) {
      Map<String, String> keys = new HashMap<>(Map.of("POSTGRES_SSL_MODE", mode, "POSTGRES_SSL_ROOT_CERT",
          ca.toString()));
      assertEquals(mode, ConfigLoader.fromMap(keys).connections().postgresSslMode().libpqName());
    }
  }

  @Test
  void badPostgresTlsKeysAreOneLine(@TempDir Path dir) {
    Path missing = dir.resolve("ca.pem");
    assertBad(Map.of("POSTGRES_SSL_MODE", "verify-full", "POSTGRES_SSL_ROOT_CERT", missing.toString()),
        "Invalid configuration: POSTGRES_SSL_ROOT_CERT='" + missing + "' does not exist");
    assertBad(Map.of("POSTGRES_SSL_MODE", "verify-ca"), "Invalid configuration: POSTGRES_SSL_ROOT_CERT=<unset> must "
        + "name the CA certificate (PEM) that signed the server's certificate when POSTGRES_SSL_MODE=verify-ca");
    assertBad(Map.of("POSTGRES_SSL_MODE", "always"), "Invalid configuration: POSTGRES_SSL_MODE='always' must be one "
        + "of disable, prefer, require, verify-ca, verify-full");
    assertBad(Map.of("POSTGRES_POOL_SIZE", "0"), "Invalid configuration: POSTGRES_POOL_SIZE='0' must be between 1 "
        + "and 100");
  }

  @Test
  void topicKeys() {
    ConnectionSettings c = ConfigLoader.fromMap(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "3",
        "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2", "KAFKA_CREATE_TOPICS", "false")).connections();
    assertEquals(3, c.topicReplicationFactor());
    assertEquals(2, c.topicMinInsyncReplicas());
    assertFalse(c.createTopics());
    assertBad(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "2", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "3"),
        "Invalid configuration: KAFKA_TOPIC_MIN_INSYNC_REPLICAS='3' is more than KAFKA_TOPIC_REPLICATION_FACTOR=2: "
            + "no write could ever succeed");
    assertBad(Map.of("KAFKA_CREATE_TOPICS", "maybe"), "Invalid configuration: KAFKA_CREATE_TOPICS='maybe' is not "
        + "true or false");
  }

  @Test
  void secretsNeverShowInToString(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Properties p = new Properties();
    p.setProperty("ssl.truststore.password", "trust-pass-123");
    p.setProperty("ssl.key.password", "key-pass-456");
    p.setProperty("basic.auth.user.info", "user:registry-pass-789");
    try (var out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    Map<String, String> keys = new HashMap<>(Map.of("POSTGRES_PASSWORD", "pg-pass-000",
        "KAFKA_PROPERTY_SASL_JAAS_CONFIG", JAAS, "KAFKA_PROPERTIES_FILE", file.toString(),
        "KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"));
    PipelineConfig c = ConfigLoader.fromMap(keys);
    String text = c.toString() + new Endpoints("k:9092", c.connections().kafkaProperties(), "h", 5432, "d", "u",
        c.postgres().password(), PostgresSslMode.REQUIRE, null);
    for (String secret : new String[] {"pg-pass-000", "s3cret-kafka", "trust-pass-123", "key-pass-456",
        "registry-pass-789"}) {
      assertFalse(text.contains(secret), secret + " leaked into " + text);
    }
    assertTrue(text.contains("security.protocol=SASL_SSL"), text);
    assertTrue(text.contains("sasl.jaas.config=" + Secret.REDACTED), text);
  }

  private static void assertBad(Map<String, String> values, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(values));
    assertEquals(message, e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
