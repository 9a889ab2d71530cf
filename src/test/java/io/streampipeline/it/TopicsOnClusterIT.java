package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.infra.InputKeyCheck;
import io.streampipeline.infra.StartupException;
import io.streampipeline.infra.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * How the pipeline makes and checks its topics on a broker it does not own: replication factor and
 * min.insync.replicas from the configuration, KAFKA_CREATE_TOPICS=false with a topic missing, and input that is
 * not keyed by user_id counted in stream_pipeline_input_key_mismatch_total.
 */
class TopicsOnClusterIT {
  private static final long T0 = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();

  @Test
  void createsTopicsWithTheConfiguredReplicationAndMinInsyncReplicas() throws Exception {
    TestInfra infra = TestInfra.get();
    Map<String, String> keys = infra.pipelineConfig("unused", "rf");
    keys.put("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "1");
    PipelineConfig config = ConfigLoader.fromMap(keys);
    Topics.ensure(infra.bootstrapServers, config);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers))) {
      TopicDescription events = admin.describeTopics(List.of(config.kafka().clickstreamTopic())).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(config.kafka().clickstreamTopic());
      int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      assertEquals(Topics.EVENT_PARTITIONS, events.partitions().size());
      assertEquals(Math.min(3, brokers), events.partitions().get(0).replicas().size(),
          "replication factor min(3, brokers) by default");
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, config.kafka().clickstreamTopic());
      Config settings = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
      assertEquals("1", settings.get("min.insync.replicas").value());
      assertTrue(!settings.get("min.insync.replicas").isDefault(), "set on the topic, not the broker's default");
    }
  }

  @Test
  void aReplicationFactorAboveTheBrokersIsOneLine() {
    TestInfra infra = TestInfra.get();
    Map<String, String> keys = infra.pipelineConfig("unused", "rf-high");
    keys.put("KAFKA_TOPIC_REPLICATION_FACTOR", "7");
    StartupException e = assertThrows(StartupException.class,
        () -> Topics.ensure(infra.bootstrapServers, ConfigLoader.fromMap(keys)));
    assertTrue(e.getMessage().startsWith("Invalid configuration: KAFKA_TOPIC_REPLICATION_FACTOR=7 but the cluster at "
        + infra.bootstrapServers + " has "), e.getMessage());
  }

  @Test
  void withoutCreateTopicsAMissingTopicStopsStartUpWithOneLine() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> keys = infra.pipelineConfig(database, "nocreate");
    keys.put("KAFKA_CREATE_TOPICS", "false");
    PipelineConfig config = ConfigLoader.fromMap(keys);
    StartupException e = assertThrows(StartupException.class, () -> new Application(config).start());
    assertEquals("Kafka topics " + config.kafka().clickstreamTopic() + ", " + config.kafka().aggregatedTopic() + ", "
        + config.kafka().dlqTopic() + " missing at " + infra.bootstrapServers + " and KAFKA_CREATE_TOPICS=false: create them "
        + "(partitions: " + config.kafka().clickstreamTopic() + " 6, " + config.kafka().aggregatedTopic() + " 3, " + config.kafka().dlqTopic()
        + " 1) or set KAFKA_CREATE_TOPICS=true", e.getMessage());

    // Once someone has created them, the same configuration starts.
    Map<String, String> creating = new HashMap<>(keys);
    creating.remove("KAFKA_CREATE_TOPICS");
    Topics.ensure(infra.bootstrapServers, ConfigLoader.fromMap(creating));
    new Application(config).start().stop();
  }

  @Test
  void inputNotKeyedByUserIsCountedInAMetric() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    PipelineConfig config = ConfigLoader.fromMap(infra.pipelineConfig(database, "keys"));
    Topics.ensure(infra.bootstrapServers, config);
    List<GeneratedMessage> messages = TestData.generate(20261123L, 40, 0.0, T0, 1000);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    int misplaced = 0;
    for (GeneratedMessage m : messages) {
      int right = InputKeyCheck.defaultPartition(m.key().getBytes(StandardCharsets.UTF_8), Topics.EVENT_PARTITIONS);
      // One in four written to the partition after the key's: what a producer with its own partitioner does.
      boolean wrong = records.size() % 4 == 0;
      misplaced += wrong ? 1 : 0;
      records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), wrong ? (right + 1) % Topics.EVENT_PARTITIONS
          : right, m.key(), m.value()));
    }
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), records, messages);

    Application app = new Application(config).start();
    try {
      String metrics = Http.get("http://127.0.0.1:" + config.metricsPort() + "/metrics").body();
      double counted = metrics.lines().filter(l -> l.startsWith(InputKeyCheck.METRIC + "_total"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      assertEquals(misplaced, counted, metrics);
    } finally {
      app.stop();
    }
  }
}
