package io.streampipeline.infra;

import io.streampipeline.config.KafkaClientProperties;
import java.util.HashMap;
import java.util.Map;

/**
 * Client settings shared by every Kafka consumer, producer and admin client of the pipeline. The operator's
 * extra settings ({@link KafkaClientProperties}: security, SASL, TLS, tuning) go over the pipeline's tuning;
 * the settings its correctness depends on cannot be among them (the configuration refuses those).
 */
public final class KafkaClients {
  private KafkaClients() {
  }

  /** Manual commits only: offsets are committed after the rows they cover are durable in PostgreSQL. */
  public static Map<String, String> consumer(Endpoints endpoints, String group, String clientId) {
    return consumer(endpoints.kafkaBootstrapServers(), endpoints.kafkaProperties(), group, clientId);
  }

  public static Map<String, String> consumer(String bootstrapServers, KafkaClientProperties extra, String group,
      String clientId) {
    Map<String, String> props = new HashMap<>();
    props.put("client.id", clientId);
    props.put("auto.offset.reset", "earliest");
    // A process joining or leaving moves only the partitions that change owner; the others keep their state.
    props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    props.put("max.poll.records", "2000");
    // A crashed lane's partitions move to the others after 10 s instead of Kafka's default 45 s.
    props.put("session.timeout.ms", "10000");
    props.put("heartbeat.interval.ms", "2000");
    props.put("fetch.min.bytes", "1");
    props.put("max.partition.fetch.bytes", "4194304");
    props.putAll(extra.asMap());
    props.put("bootstrap.servers", bootstrapServers);
    props.put("group.id", group);
    props.put("enable.auto.commit", "false");
    // Records of aborted producer transactions are never stored.
    props.put("isolation.level", "read_committed");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    return props;
  }

  public static Map<String, String> producer(Endpoints endpoints, String clientId) {
    return producer(endpoints.kafkaBootstrapServers(), endpoints.kafkaProperties(), clientId);
  }

  public static Map<String, String> producer(String bootstrapServers, KafkaClientProperties extra, String clientId) {
    Map<String, String> props = new HashMap<>();
    props.put("client.id", clientId);
    props.put("linger.ms", "5");
    props.put("batch.size", "262144");
    props.put("compression.type", "lz4");
    props.putAll(extra.asMap());
    props.put("bootstrap.servers", bootstrapServers);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    return props;
  }

  public static Map<String, String> admin(Endpoints endpoints, String clientId) {
    return admin(endpoints.kafkaBootstrapServers(), endpoints.kafkaProperties(), clientId);
  }

  public static Map<String, String> admin(String bootstrapServers, KafkaClientProperties extra, String clientId) {
    Map<String, String> props = new HashMap<>();
    props.put("client.id", clientId);
    props.putAll(extra.asMap());
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }
}
