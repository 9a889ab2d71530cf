package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PostgresSslMode;
import io.streampipeline.config.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
  private final Endpoints endpoints = new Endpoints("broker:9093", KafkaClientProperties.of(Map.of(
      "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "linger.ms", "50")), "db", 5432, "p", "p",
      Secret.of("p"), PostgresSslMode.DISABLE, null);

  @Test
  void everyClientGetsTheExtraSettings() {
    for (Map<String, String> client : new Map[] {KafkaClients.consumer(endpoints, "g", "c"),
        KafkaClients.producer(endpoints, "c"), KafkaClients.admin(endpoints, "c")}) {
      assertEquals("SASL_SSL", client.get("security.protocol"));
      assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
      assertEquals("broker:9093", client.get("bootstrap.servers"));
    }
  }

  @Test
  void extraSettingsOverTheTuningButNotTheGuarantees() {
    Map<String, String> producer = KafkaClients.producer(endpoints, "c");
    assertEquals("50", producer.get("linger.ms"));
    assertEquals("all", producer.get("acks"));
    assertEquals("true", producer.get("enable.idempotence"));
    Map<String, String> consumer = KafkaClients.consumer(endpoints, "g", "c");
    assertEquals("false", consumer.get("enable.auto.commit"));
    assertEquals("g", consumer.get("group.id"));
  }
}
