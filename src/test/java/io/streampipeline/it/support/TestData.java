package io.streampipeline.it.support;

import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test input made by the project's EventFactory (its kinds are the expected outcomes) and sent with a plain producer. */
public final class TestData {
  private TestData() {
  }

  /** A message as sent, with where it landed. */
  public record Sent(GeneratedMessage message, int partition, long offset) {
  }

  /** {@code count} messages, event time starting at {@code startMs} and {@code stepMs} apart. */
  public static List<GeneratedMessage> generate(long seed, int count, double errorRate, long startMs, long stepMs) {
    return generate(seed, count, errorRate, startMs, stepMs, 300);
  }

  /** The same with {@code users} generated users (many users: many open sessions). */
  public static List<GeneratedMessage> generate(long seed, int count, double errorRate, long startMs, long stepMs,
      int users) {
    EventFactory factory = new EventFactory(seed, users, 200, 1_800_000, errorRate);
    List<GeneratedMessage> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(factory.next(startMs + i * stepMs));
    }
    return messages;
  }

  public static List<Sent> send(String bootstrapServers, String topic, List<GeneratedMessage> messages) {
    return send(bootstrapServers, topic, messages.stream().map(m -> new ProducerRecord<>(topic, m.key(), m.value()))
        .toList(), messages);
  }

  public static List<Sent> send(String bootstrapServers, String topic, List<ProducerRecord<String, byte[]>> records,
      List<GeneratedMessage> messages) {
    return send(bootstrapServers, Map.of(), records, messages);
  }

  /** Through a producer with extra client settings (security, for example). */
  public static List<Sent> send(String bootstrapServers, Map<String, String> clientProperties,
      List<ProducerRecord<String, byte[]>> records, List<GeneratedMessage> messages) {
    try (KafkaProducer<String, byte[]> producer = producer(bootstrapServers, clientProperties)) {
      List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
      records.forEach(r -> acks.add(producer.send(r)));
      producer.flush();
      List<Sent> sent = new ArrayList<>(records.size());
      for (int i = 0; i < acks.size(); i++) {
        RecordMetadata meta = acks.get(i).get();
        sent.add(new Sent(messages == null ? null : messages.get(i), meta.partition(), meta.offset()));
      }
      return sent;
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("producing test data failed", e);
    }
  }

  public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    return producer(bootstrapServers, Map.of());
  }

  public static KafkaProducer<String, byte[]> producer(String bootstrapServers, Map<String, String> clientProperties) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put("bootstrap.servers", bootstrapServers);
    props.put("acks", "all");
    props.put("linger.ms", "5");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  /** Every record of a topic, read from the beginning until {@code expected} are there (or the timeout). */
  public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic, int expected,
      Duration timeout) {
    return readAll(bootstrapServers, Map.of(), topic, expected, timeout);
  }

  public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers,
      Map<String, String> clientProperties, String topic, int expected, Duration timeout) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put("bootstrap.servers", bootstrapServers);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  public static Map<GeneratedMessage.Kind, Long> kinds(List<GeneratedMessage> messages) {
    Map<GeneratedMessage.Kind, Long> kinds = new HashMap<>();
    messages.forEach(m -> kinds.merge(m.kind(), 1L, Long::sum));
    return kinds;
  }
}
