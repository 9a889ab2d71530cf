package io.streampipeline.infra;

import io.streampipeline.app.PipelineConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics when they are missing (docs/design.md#topics-and-keys: 6, 3 and 1 partitions).
 * Blocking.
 */
public final class Topics {
  /** How long one admin request, and waiting for the partition leaders, may take. */
  private static final long ADMIN_TIMEOUT_SECONDS = 60;
  private static final long LEADER_RETRY_MS = 100;
  public static final int EVENT_PARTITIONS = 6;
  public static final int AGGREGATED_PARTITIONS = 3;
  public static final int DLQ_PARTITIONS = 1;

  private Topics() {
  }

  public static void ensure(String bootstrapServers, PipelineConfig config) {
    ensure(bootstrapServers, Map.of(config.clickstreamTopic(), EVENT_PARTITIONS,
        config.aggregatedTopic(), AGGREGATED_PARTITIONS, config.dlqTopic(), DLQ_PARTITIONS));
  }

  /**
   * A producer that writes to a partition whose leader the broker does not know yet gets retriable errors
   * that can upset idempotent sequence numbers; waiting here keeps the first writes clean.
   */
  private static void awaitLeaders(Admin admin, Set<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
    while (true) {
      try {
        // ListOffsets is answered by the partition leader's log, so success means the partitions are writable.
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((name, d) ->
            d.partitions().forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(partitions).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(LEADER_RETRY_MS);
      }
    }
  }

  public static void ensure(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        String.valueOf(TimeUnit.SECONDS.toMillis(ADMIN_TIMEOUT_SECONDS)));
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = partitionsByTopic.entrySet().stream()
          .filter(t -> !existing.contains(t.getKey()))
          .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1))
          .toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // Another process may have created them in between: that is fine.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(admin, partitionsByTopic.keySet());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create Kafka topics at " + bootstrapServers + ": " + e, e);
    }
  }
}
