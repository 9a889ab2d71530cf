package io.streampipeline.infra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streampipeline.config.KafkaClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the input topic is keyed the way the windows need: global unique users are summed over
 * partitions, which is right only when all of a user's events are in one partition, i.e. when producers key
 * by user_id with Kafka's default partitioner. A message whose partition is not the one that partitioner gives
 * its key (or that has no key) is counted in {@value #METRIC}_total and the first one is logged.
 */
public final class InputKeyCheck {
  public static final String METRIC = "stream_pipeline_input_key_mismatch";
  /** Messages read from the end of each partition at start-up. */
  static final int SAMPLE_PER_PARTITION = 20;

  private static final Logger log = LoggerFactory.getLogger(InputKeyCheck.class);

  private final Counter mismatches;
  private final AtomicBoolean logged = new AtomicBoolean();

  public InputKeyCheck(MeterRegistry registry) {
    mismatches = Counter.builder(METRIC)
        .description("Input messages whose partition is not the default partitioner's for their key (user_id)")
        .register(registry);
  }

  /** The partition Kafka's default partitioner picks for a non-null key (murmur2, as the Java producer does). */
  public static int defaultPartition(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** Counts (and logs the first) message that is not where its key says; true when it is where it should be. */
  public boolean check(String topic, int partition, long offset, byte[] key, int partitions) {
    if (key != null && defaultPartition(key, partitions) == partition) {
      return true;
    }
    mismatches.increment();
    if (logged.compareAndSet(false, true)) {
      log.warn("{}:{}:{} {}: the input must be keyed by user_id with Kafka's default partitioner, or unique "
              + "users and sessions are split across partitions (counted in {}_total; logged once)", topic,
          partition, offset, key == null ? "has no key" : "is in partition " + partition + " but its key belongs in "
              + defaultPartition(key, partitions), METRIC);
    }
    return false;
  }

  /**
   * Reads the last few messages of every partition and checks them. Blocking, bounded by {@code timeout};
   * a topic that cannot be read is reported and skipped (start-up goes on: this is a check, not a gate).
   */
  public int sample(String bootstrapServers, KafkaClientProperties properties, String topic, Duration timeout) {
    Map<String, String> settings = KafkaClients.consumer(bootstrapServers, properties,
        "stream-pipeline-key-check-unused", "stream-pipeline-key-check");
    settings.put("max.poll.records", "500");
    int checked = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(new HashMap<>(settings))) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic, timeout).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      int count = partitions.size();
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition tp : partitions) {
        long from = Math.max(begin.get(tp), end.get(tp) - SAMPLE_PER_PARTITION);
        if (from < end.get(tp)) {
          consumer.seek(tp, from);
          remaining.put(tp, end.get(tp));
        }
      }
      consumer.pause(partitions.stream().filter(tp -> !remaining.containsKey(tp)).toList());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!remaining.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long stop = remaining.get(tp);
          if (stop == null || r.offset() >= stop) {
            continue;
          }
          check(topic, r.partition(), r.offset(), r.key(), count);
          checked++;
        }
        // By position, not by the last record seen: transaction markers take offsets no record has.
        for (TopicPartition tp : List.copyOf(remaining.keySet())) {
          if (consumer.position(tp) >= remaining.get(tp)) {
            remaining.remove(tp);
            consumer.pause(List.of(tp));
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("cannot sample {} to check its keys: {}", topic, e.toString());
    }
    return checked;
  }

  public double mismatches() {
    return mismatches.count();
  }
}
