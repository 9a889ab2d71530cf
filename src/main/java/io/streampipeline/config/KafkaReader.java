package io.streampipeline.config;

/** KAFKA_BOOTSTRAP_SERVERS, the topics and the consumer group. */
final class KafkaReader {
  private KafkaReader() {
  }

  static KafkaSettings read(ConfigSource in) {
    String bootstrapServers = in.optional(ConfigKey.KAFKA_BOOTSTRAP_SERVERS);
    String clickstreamTopic = in.text(ConfigKey.KAFKA_CLICKSTREAM_TOPIC);
    String aggregatedTopic = in.text(ConfigKey.KAFKA_AGGREGATED_TOPIC);
    String dlqTopic = in.text(ConfigKey.KAFKA_DLQ_TOPIC);
    String consumerGroup = in.text(ConfigKey.KAFKA_CONSUMER_GROUP);
    return new KafkaSettings(bootstrapServers, clickstreamTopic, aggregatedTopic, dlqTopic, consumerGroup);
  }
}
