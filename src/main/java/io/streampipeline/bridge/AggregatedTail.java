package io.streampipeline.bridge;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.DecodeException;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows clickstream.aggregated from its end: every partition assigned (not a group subscription, so each
 * process sees every window whichever lanes closed it), positioned at the end before {@link #start()}
 * completes, never committing. Windows closed from then on are handed to a consumer; those before are not
 * (a live feed, not a history: the history is the aggregated_metrics table).
 */
final class AggregatedTail {
  private static final Logger log = LoggerFactory.getLogger(AggregatedTail.class);

  private final String topic;
  private final Consumer<WindowResult> windows;
  private final AggregatedCodec codec = new AggregatedCodec();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private long undecodable;

  AggregatedTail(Vertx vertx, Endpoints endpoints, String topic, Consumer<WindowResult> windows) {
    this.topic = topic;
    this.windows = windows;
    String id = "stream-pipeline-live-feed-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> props = KafkaClients.consumer(endpoints, id, id);
    props.put("auto.offset.reset", "latest");
    props.put("max.poll.records", "1000");
    consumer = KafkaConsumer.create(vertx, props);
  }

  Future<Void> start() {
    consumer.pollTimeout(Duration.ofMillis(200));
    consumer.exceptionHandler(e -> log.warn("live feed: reading {} failed: {}", topic, e.toString()));
    consumer.batchHandler(this::onRecords);
    consumer.handler(record -> { });
    return consumer.partitionsFor(topic).compose(infos -> {
      Set<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.getPartition()))
          .collect(Collectors.toSet());
      // position() resolves the end offsets now, so a window published after start() is never skipped.
      return consumer.assign(partitions).compose(v -> consumer.seekToEnd(partitions))
          .compose(v -> Future.all(partitions.stream().map(consumer::position).toList())).mapEmpty();
    });
  }

  private void onRecords(KafkaConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> record : records.records()) {
      try {
        windows.accept(codec.decode(record.value()));
      } catch (DecodeException e) {
        if (undecodable++ < 10) {
          log.warn("live feed: skipping undecodable record {}:{}:{}: {}", topic, record.partition(),
              record.offset(), e.getMessage());
        }
      }
    }
  }

  Future<Void> stop() {
    return consumer.close();
  }
}
