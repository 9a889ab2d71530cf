package io.streampipeline.it.support;

import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A steady producer of events (event time = now, or hours behind it: {@link EventTimes}) from the project's EventFactory, in its own thread,
 * until stopped; it remembers what it sent and what each message should become.
 */
public final class LiveTraffic implements AutoCloseable {
  private final List<GeneratedMessage> sent = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile RuntimeException failure;

  public LiveTraffic(String bootstrapServers, String topic, long seed, int eventsPerSecond) {
    this(bootstrapServers, topic, seed, eventsPerSecond, EventTimes.NEAR_WALL_CLOCK);
  }

  /** The same with event times of the given kind ({@link EventTimes#eventTime}). */
  public LiveTraffic(String bootstrapServers, String topic, long seed, int eventsPerSecond, EventTimes times) {
    EventFactory factory = new EventFactory(seed, 400, 200, 5_000, 0.02);
    long startedMs = System.currentTimeMillis();
    thread = new Thread(() -> {
      try (KafkaProducer<String, byte[]> producer = TestData.producer(bootstrapServers)) {
        List<Future<RecordMetadata>> pending = new ArrayList<>();
        int perTick = Math.max(1, eventsPerSecond / 20);
        while (running.get()) {
          for (int i = 0; i < perTick; i++) {
            GeneratedMessage m = factory.next(times.eventTime(startedMs, System.currentTimeMillis()));
            pending.add(producer.send(new ProducerRecord<>(topic, m.key(), m.value())));
            synchronized (sent) {
              sent.add(m);
            }
          }
          Thread.sleep(50);
        }
        producer.flush();
        for (Future<RecordMetadata> ack : pending) {
          ack.get();
        }
      } catch (InterruptedException | ExecutionException e) {
        failure = new IllegalStateException("live traffic failed", e);
      }
    }, "live-traffic");
    thread.start();
  }

  /** Stops producing and waits until everything sent is acknowledged. */
  public void stop() throws InterruptedException {
    running.set(false);
    thread.join(60_000);
    if (failure != null) {
      throw failure;
    }
  }

  public Set<String> validEventIds() {
    synchronized (sent) {
      return sent.stream().filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId())
          .collect(Collectors.toSet());
    }
  }

  public long badCount() {
    synchronized (sent) {
      return sent.stream().filter(m -> m.kind() == Kind.INVALID || m.kind() == Kind.UNDECODABLE).count();
    }
  }

  public int sentCount() {
    synchronized (sent) {
      return sent.size();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
