package io.streampipeline.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The extra Kafka client settings, how topics are made, and PostgreSQL's TLS and pool size. */
final class ConnectionReader {
  private ConnectionReader() {
  }

  static ConnectionSettings read(ConfigSource in) {
    Long replication = in.optionalWhole(ConfigKey.KAFKA_TOPIC_REPLICATION_FACTOR, 1, Short.MAX_VALUE);
    Long minInsync = in.optionalWhole(ConfigKey.KAFKA_TOPIC_MIN_INSYNC_REPLICAS, 1, Short.MAX_VALUE);
    if (replication != null && minInsync != null && minInsync > replication) {
      throw new ConfigException("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", minInsync.toString(),
          "is more than KAFKA_TOPIC_REPLICATION_FACTOR=" + replication + ": no write could ever succeed");
    }
    PostgresSslMode sslMode = in.named(ConfigKey.POSTGRES_SSL_MODE, PostgresSslMode.class);
    Path rootCert = in.readableFile(ConfigKey.POSTGRES_SSL_ROOT_CERT);
    if (sslMode != null && sslMode.verifiesCertificate() && rootCert == null) {
      throw new ConfigException("POSTGRES_SSL_ROOT_CERT", null, "must name the CA certificate (PEM) that signed the "
          + "server's certificate when POSTGRES_SSL_MODE=" + sslMode.libpqName());
    }
    return new ConnectionSettings(kafkaProperties(in),
        replication == null ? null : replication.intValue(), minInsync == null ? null : minInsync.intValue(),
        in.bool(ConfigKey.KAFKA_CREATE_TOPICS), sslMode, rootCert, in.whole(ConfigKey.POSTGRES_POOL_SIZE, 1, 100));
  }

  /** KAFKA_PROPERTIES_FILE (a Java properties file), then every KAFKA_PROPERTY_&lt;NAME&gt; over it. */
  private static KafkaClientProperties kafkaProperties(ConfigSource in) {
    Map<String, String> properties = new TreeMap<>();
    Path file = in.readableFile(ConfigKey.KAFKA_PROPERTIES_FILE);
    if (file != null) {
      Properties loaded = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        loaded.load(reader);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("KAFKA_PROPERTIES_FILE", file.toString(), "is not a readable properties file ("
            + e.getClass().getSimpleName() + ")");
      }
      loaded.stringPropertyNames().forEach(name -> properties.put(name.trim(), loaded.getProperty(name).trim()));
    }
    String prefix = ConfigKey.KAFKA_PROPERTY_PREFIX;
    for (String key : in.namesStartingWith(prefix)) {
      if (key.length() == prefix.length()) {
        continue;
      }
      String suffix = key.substring(prefix.length());
      if (suffix.endsWith(ConfigKey.FILE_SUFFIX)) {
        String base = prefix + suffix.substring(0, suffix.length() - ConfigKey.FILE_SUFFIX.length());
        String value = in.optional(base);
        if (value != null) {
          properties.put(KafkaClientProperties.propertyName(base.substring(prefix.length())), value);
        }
      } else if (in.optional(key) != null) {
        properties.put(KafkaClientProperties.propertyName(suffix), in.optional(key));
      }
    }
    for (String name : properties.keySet()) {
      if (KafkaClientProperties.RESERVED.contains(name)) {
        String why = name.equals("bootstrap.servers") ? " (use KAFKA_BOOTSTRAP_SERVERS)"
            : " (exactly once depends on it)";
        throw new ConfigException(prefix + name.toUpperCase(Locale.ROOT).replace('.', '_'),
            properties.get(name), "sets " + name + ", which the pipeline sets itself" + why);
      }
    }
    return KafkaClientProperties.of(properties);
  }
}
