package io.streampipeline.config;

/**
 * Where the pipeline's Kafka is and what it uses there: the address (null: start the embedded broker), the three
 * topics and the lanes' consumer group. Built by {@link KafkaReader}.
 */
public record KafkaSettings(String bootstrapServers, String clickstreamTopic, String aggregatedTopic,
    String dlqTopic, String consumerGroup) {
}
