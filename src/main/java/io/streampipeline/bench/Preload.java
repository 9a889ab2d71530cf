package io.streampipeline.bench;

import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.window.PartitionWindows;
import io.streampipeline.window.WindowSettings;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the replay into a fresh topic and works out what the pipeline must produce from it.
 *
 * <p>The events come from {@link EventFactory} with a fixed seed and the configured users, products and error
 * rate; event time rises evenly over {@link #SPAN_MS} from {@link #EVENT_TIME_START}, a fixed instant in the
 * past, so every run sends the same bytes and the idle advance at the end can close every window. Each record
 * goes to the partition Kafka's default partitioner would pick for its key, chosen here explicitly so the
 * bench knows each partition's sequence while it sends: it feeds the valid events of every partition into its
 * own {@link PartitionWindows} (the same code the pipeline runs), which gives the exact number of window rows
 * the pipeline must write once everything has closed.
 */
final class Preload {
  private static final Logger log = LoggerFactory.getLogger(Preload.class);
  /** 2026-01-01T00:00:00Z. */
  static final long EVENT_TIME_START = 1_767_225_600_000L;
  static final long SPAN_MS = 2 * 3_600_000L;
  static final long DEFAULT_SEED = 20_260_101L;

  /** Counts of what was sent, by what the pipeline must do with it, and the windows it must emit. */
  record Result(long events, long valid, long bots, long invalid, long undecodable, long expectedWindows,
      long bytes, double seconds, long seed) {
  }

  private Preload() {
  }

  static Result run(String bootstrapServers, KafkaClientProperties properties, String topic, int partitions, long events, long seed, int users,
      int products, double errorRate, WindowSettings settings) {
    EventFactory factory = new EventFactory(seed, users, products, settings.sessionTimeoutMs(), errorRate);
    PartitionWindows[] reference = new PartitionWindows[partitions];
    long[] offsets = new long[partitions];
    long[] sinceClose = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      reference[p] = new PartitionWindows(p, settings);
    }
    long windows = 0;
    Map<GeneratedMessage.Kind, Long> kinds = new HashMap<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong bytes = new AtomicLong();
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrapServers, properties),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < events; i++) {
        GeneratedMessage m = factory.next(EVENT_TIME_START + i * SPAN_MS / events);
        byte[] key = m.key().getBytes(StandardCharsets.UTF_8);
        int p = Utils.toPositive(Utils.murmur2(key)) % partitions;
        long offset = offsets[p]++;
        kinds.merge(m.kind(), 1L, Long::sum);
        bytes.addAndGet(m.value().length);
        producer.send(new ProducerRecord<>(topic, p, key, m.value()), (meta, err) -> {
          if (err != null) {
            failure.compareAndSet(null, err);
          }
        });
        if (m.kind() == GeneratedMessage.Kind.VALID) {
          EnrichedEvent e = EventRules.enrich(EventRules.normalize(m.event()), p, offset);
          reference[p].add(e);
          // Closing as the pipeline's tick does keeps the reference small; the set of windows is the same.
          if (++sinceClose[p] == 10_000) {
            sinceClose[p] = 0;
            windows += reference[p].closeReady(0).size();
          }
        }
        if (i > 0 && i % 250_000 == 0) {
          log.info("bench: pre-loaded {} of {} events", i, events);
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("pre-loading the topic failed: " + failure.get(), failure.get());
    }
    for (PartitionWindows w : reference) {
      w.advanceEventTime(Long.MAX_VALUE);
      windows += w.closeReady(0).size();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Result(events, kinds.getOrDefault(GeneratedMessage.Kind.VALID, 0L),
        kinds.getOrDefault(GeneratedMessage.Kind.BOT, 0L), kinds.getOrDefault(GeneratedMessage.Kind.INVALID, 0L),
        kinds.getOrDefault(GeneratedMessage.Kind.UNDECODABLE, 0L), windows, bytes.get(), seconds, seed);
  }

  /** As the generator's producer (idempotent, lz4), with larger batches: the pre-load is not paced. */
  private static Map<String, Object> producerConfig(String bootstrapServers, KafkaClientProperties properties) {
    Map<String, Object> p = new HashMap<>(properties.asMap());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "stream-pipeline-bench-preload");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TimeUnit.MINUTES.toMillis(5)));
    return p;
  }
}
