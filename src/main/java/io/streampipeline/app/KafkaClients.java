package io.streampipeline.app;

import java.util.HashMap;
import java.util.Map;

/** Client settings shared by every Kafka consumer and producer of the pipeline. */
public final class KafkaClients {
  private KafkaClients() {
  }

  /** Manual commits only: offsets are committed after the rows they cover are durable in PostgreSQL. */
  public static Map<String, String> consumer(String bootstrapServers, String group, String clientId) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("group.id", group);
    props.put("client.id", clientId);
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    // Records of aborted producer transactions are never stored.
    props.put("isolation.level", "read_committed");
    // A process joining or leaving moves only the partitions that change owner; the others keep their state.
    props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("max.poll.records", "2000");
    // A crashed lane's partitions move to the others after 10 s instead of Kafka's default 45 s.
    props.put("session.timeout.ms", "10000");
    props.put("heartbeat.interval.ms", "2000");
    props.put("fetch.min.bytes", "1");
    props.put("max.partition.fetch.bytes", "4194304");
    return props;
  }

  public static Map<String, String> producer(String bootstrapServers, String clientId) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("client.id", clientId);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("linger.ms", "5");
    props.put("batch.size", "262144");
    props.put("compression.type", "lz4");
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    return props;
  }
}
