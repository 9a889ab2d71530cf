package io.streampipeline.dashboard;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.config.SchemaRegistrySettings;
import io.streampipeline.event.DecodeException;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.registry.RegistryGate;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads clickstream.aggregated for the dashboard and hands every decoded window to a consumer on the
 * verticle's event loop. It has a consumer group of its own per process (so every dashboard sees every
 * partition, and it works when the pipeline runs elsewhere) and never commits: on assignment it seeks to
 * what was published in the last hour and a bit, because only that is shown. Windows come single-object
 * encoded or, with AGGREGATED_WIRE_FORMAT=registry, registry-framed: their writer schemas are looked up first
 * (a {@link RegistryGate}), which needs SCHEMA_REGISTRY_URL in this process too.
 */
final class AggregatedFeed {
  private static final Logger log = LoggerFactory.getLogger(AggregatedFeed.class);
  private static final long LOOK_BACK_MS = DashboardState.HORIZON_MS + 300_000;

  private final String topic;
  private final Consumer<WindowResult> windows;
  private final AggregatedCodec codec = new AggregatedCodec();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final RegistryGate registry;
  private boolean closed;
  private long undecodable;

  AggregatedFeed(Vertx vertx, Endpoints endpoints, String topic, SchemaRegistrySettings registrySettings,
      Consumer<WindowResult> windows) {
    this.topic = topic;
    this.windows = windows;
    String id = "stream-pipeline-dashboard-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> props = KafkaClients.consumer(endpoints, id, id);
    props.put("max.poll.records", "1000");
    consumer = KafkaConsumer.create(vertx, props);
    registry = RegistryGate.create(vertx, registrySettings, AggregatedCodec.V2, "AggregatedMetrics v2", "dashboard",
        this::onRecords, () -> pauseOrResume(true), () -> pauseOrResume(false));
    codec.useRegistry(registry.schemas());
  }

  private void pauseOrResume(boolean pause) {
    if (closed) {
      return;
    }
    consumer.assignment().compose(assigned -> pause ? consumer.pause(assigned) : consumer.resume(assigned))
        .onFailure(e -> log.debug("dashboard: pause/resume of {} failed: {}", topic, e.toString()));
  }

  Future<Void> start() {
    consumer.pollTimeout(Duration.ofMillis(200));
    consumer.partitionsAssignedHandler(this::seekToRecent);
    consumer.exceptionHandler(e -> log.warn("dashboard: reading {} failed: {}", topic, e.toString()));
    consumer.batchHandler(records -> registry.offer(records.records()));
    return consumer.subscribe(topic);
  }

  private void seekToRecent(Set<TopicPartition> partitions) {
    long since = System.currentTimeMillis() - LOOK_BACK_MS;
    for (TopicPartition tp : partitions) {
      consumer.offsetsForTimes(tp, since)
          .compose(found -> found == null ? consumer.seekToEnd(tp) : consumer.seek(tp, found.getOffset()))
          .onFailure(e -> log.warn("dashboard: cannot seek {} to the last hour ({}); reading it all", tp,
              e.toString()));
    }
  }

  private void onRecords(List<ConsumerRecord<byte[], byte[]>> records) {
    List<WindowResult> decoded = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        decoded.add(codec.decode(record.value()));
      } catch (DecodeException e) {
        // Not ours to dead-letter (the pipeline wrote it); log the first few and go on.
        if (undecodable++ < 10) {
          log.warn("dashboard: skipping undecodable record {}:{}:{}: {}", topic, record.partition(),
              record.offset(), e.getMessage());
        }
      }
    }
    decoded.forEach(windows);
  }

  Future<Void> stop() {
    closed = true;
    return registry.close().eventually(consumer::close);
  }
}
