package io.streampipeline.it.support;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.ingest.RecordProcessor;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The smallest job the bench's {@code --alternative} protocol can run (bench/README.md):
 * one Kafka consumer applying the pipeline's rules to every record, storing nothing, committing its positions at
 * the end. It stands in for Flink or Kafka Streams in the integration test of the protocol, which is about the
 * bench's side: the files, the CPU account and the checks.
 */
public final class ConsumerReferenceJob {
  private ConsumerReferenceJob() {
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> env = System.getenv();
    long records = Long.parseLong(env.get("ALT_RECORDS"));
    String topic = env.get("ALT_TOPIC");
    RecordProcessor rules = new RecordProcessor(topic, new PipelineMetrics(new SimpleMeterRegistry()));
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("ALT_BOOTSTRAP_SERVERS"),
        ConsumerConfig.GROUP_ID_CONFIG, env.get("ALT_GROUP"), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long read = 0;
    long stored = 0;
    long rejected = 0;
    long first = 0;
    List<EnrichedEvent> events = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (read < records) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (first == 0) {
            first = System.currentTimeMillis();
            Files.createFile(Path.of(env.get("ALT_STARTED_FILE")));
          }
          rules.process(r.value(), r.partition(), r.offset(), r.timestamp(), events, deadLetters);
          read++;
        }
        stored += events.size();
        rejected += deadLetters.size();
        events.clear();
        deadLetters.clear();
      }
      consumer.commitSync();
    }
    JsonObject report = new JsonObject().put("system", "a plain Kafka consumer with the pipeline's rules")
        .put("first_record_epoch_ms", first).put("done_epoch_ms", System.currentTimeMillis())
        .put("records_read", read).put("events_stored", stored).put("dead_letters", rejected)
        .put("windows_emitted", 0).put("notes", "no windows, nothing stored");
    Path file = Path.of(env.get("ALT_REPORT"));
    Path tmp = Path.of(file + ".tmp");
    Files.writeString(tmp, report.encode());
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    while (System.in.read() >= 0) {
      // the bench closes our input once it has read our CPU
    }
  }

  /** A jar that runs this class with the pipeline's jar and the test classes on its class path. */
  public static Path jar(Path dir) throws IOException {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, ConsumerReferenceJob.class.getName());
    Path testClasses = Path.of(ConsumerReferenceJob.class.getProtectionDomain().getCodeSource().getLocation()
        .getPath());
    main.put(Attributes.Name.CLASS_PATH, PipelineProcess.jar().toAbsolutePath().toUri() + " "
        + testClasses.toAbsolutePath().toUri());
    Path jar = dir.resolve("consumer-reference-job.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      return jar;
    }
  }
}
