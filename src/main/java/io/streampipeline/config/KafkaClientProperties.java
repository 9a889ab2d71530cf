package io.streampipeline.config;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Extra Kafka client settings from KAFKA_PROPERTIES_FILE and KAFKA_PROPERTY_&lt;NAME&gt;, added to every consumer,
 * producer and admin client the pipeline makes: security.protocol, sasl.*, ssl.* and whatever a managed
 * service asks for. {@link #toString()} shows the keys and hides the values of secret ones.
 */
public final class KafkaClientProperties {
  /**
   * Settings the pipeline's correctness depends on (manual commits after the PostgreSQL checkpoint, the byte
   * formats, the consumer group of its own key, reading committed records only); the address has its own key,
   * KAFKA_BOOTSTRAP_SERVERS.
   */
  public static final Set<String> RESERVED = Set.of("bootstrap.servers", "group.id", "enable.auto.commit",
      "key.serializer", "value.serializer", "key.deserializer", "value.deserializer", "enable.idempotence",
      "acks", "isolation.level");

  private static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

  private final Map<String, String> properties;

  private KafkaClientProperties(Map<String, String> properties) {
    this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  public static KafkaClientProperties none() {
    return NONE;
  }

  public static KafkaClientProperties of(Map<String, String> properties) {
    return properties.isEmpty() ? NONE : new KafkaClientProperties(properties);
  }

  /** KAFKA_PROPERTY_SECURITY_PROTOCOL names security.protocol: lower case, underscores become dots. */
  public static String propertyName(String suffix) {
    return suffix.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** Whether a client setting holds a credential: JAAS configurations, passwords, keys and secrets. */
  public static boolean isSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("jaas") || n.contains("password") || n.contains("secret") || n.contains("credential")
        || n.endsWith(".key") || n.contains("token") || n.contains("basic.auth.user.info");
  }

  public Map<String, String> asMap() {
    return properties;
  }

  public boolean isEmpty() {
    return properties.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientProperties k && k.properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return properties.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    properties.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k).append('=')
        .append(isSecret(k) ? Secret.REDACTED : v));
    return out.append('}').toString();
  }
}
