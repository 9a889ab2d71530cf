package io.streampipeline.config;

import java.nio.file.Path;

/**
 * How the pipeline connects to a Kafka and a PostgreSQL it does not own: extra Kafka client settings, how topics
 * are made on a cluster, PostgreSQL TLS and pool size. Nothing here holds a secret in clear text.
 *
 * @param kafkaProperties KAFKA_PROPERTIES_FILE then KAFKA_PROPERTY_* (the latter win)
 * @param topicReplicationFactor KAFKA_TOPIC_REPLICATION_FACTOR; null: min(3, brokers in the cluster)
 * @param topicMinInsyncReplicas KAFKA_TOPIC_MIN_INSYNC_REPLICAS; null: the broker's default
 * @param createTopics KAFKA_CREATE_TOPICS; false: the topics must exist already
 * @param postgresSslMode POSTGRES_SSL_MODE; null: prefer for POSTGRES_HOST, disable for the embedded database
 * @param postgresSslRootCert POSTGRES_SSL_ROOT_CERT, a PEM file of the CA(s) that signed the server's certificate
 * @param postgresPoolSize POSTGRES_POOL_SIZE, connections (and parallel transactions) of each lane's sink
 */
public record ConnectionSettings(
    KafkaClientProperties kafkaProperties,
    Integer topicReplicationFactor,
    Integer topicMinInsyncReplicas,
    boolean createTopics,
    PostgresSslMode postgresSslMode,
    Path postgresSslRootCert,
    int postgresPoolSize) {

  /** Everything at its default (the key table's): no extra Kafka settings, topics created, TLS by the default rule. */
  public static ConnectionSettings defaults() {
    return ConnectionReader.read(ConfigSource.empty());
  }

  /** The mode used for a server: the configured one, else prefer for an external server, disable for ours. */
  public PostgresSslMode postgresSslMode(boolean embedded) {
    if (postgresSslMode != null) {
      return postgresSslMode;
    }
    return embedded ? PostgresSslMode.DISABLE : PostgresSslMode.PREFER;
  }
}
