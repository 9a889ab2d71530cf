package io.streampipeline.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The verticle against Kafka's MockProducer: no broker (the end-to-end tests use a real one). */
@ExtendWith(VertxExtension.class)
class GeneratorVerticleTest {

  private static PipelineConfig config(String rate, String maxEvents) {
    return ConfigLoader.fromMap(Map.of("PRODUCER_EVENTS_PER_SECOND", rate, "PRODUCER_MAX_EVENTS", maxEvents,
        "PRODUCER_SEED", "42", "KAFKA_CLICKSTREAM_TOPIC", "test.events"));
  }

  private static double count(SimpleMeterRegistry registry, String name, String stage) {
    var counter = registry.find("stream_pipeline_" + name);
    if (stage != null) {
      counter = counter.tag("stage", stage);
    }
    return counter.counter() == null ? 0 : counter.counter().count();
  }

  @Test
  void sendsExactlyMaxEventsAndCountsThemWhenAcknowledged(Vertx vertx, VertxTestContext ctx) {
    MockProducer<String, byte[]> mock = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GeneratorVerticle verticle = new GeneratorVerticle(config("1000", "300"), "mock",
        new PipelineMetrics(registry), v -> KafkaProducer.create(v, mock));
    long started = System.nanoTime();
    vertx.deployVerticle(verticle)
        .compose(id -> verticle.finished())
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          long elapsedMs = (System.nanoTime() - started) / 1_000_000;
          assertTrue(elapsedMs >= 250, "paced at 1000/s, not sent at once: " + elapsedMs + " ms");
          assertEquals(300, mock.history().size());
          assertEquals(300.0, count(registry, "events_produced", null));
          Set<String> keys = new HashSet<>();
          for (ProducerRecord<String, byte[]> record : mock.history()) {
            assertEquals("test.events", record.topic());
            assertTrue(record.key().startsWith("user_"), record.key());
            assertTrue(record.value().length > 0);
            keys.add(record.key());
          }
          assertTrue(keys.size() > 50, "spread over users: " + keys.size());
          ctx.completeNow();
        })));
  }

  @Test
  void sameSeedSendsTheSameMessages(Vertx vertx, VertxTestContext ctx) {
    MockProducer<String, byte[]> mock = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    GeneratorVerticle verticle = new GeneratorVerticle(config("50000", "2000"), "mock",
        new PipelineMetrics(new SimpleMeterRegistry()), v -> KafkaProducer.create(v, mock));
    vertx.deployVerticle(verticle)
        .compose(id -> verticle.finished())
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertEquals(2000, mock.history().size());
          EventFactory factory = new EventFactory(42L, 1000, 500, 1_800_000L, 0.02);
          for (ProducerRecord<String, byte[]> record : mock.history()) {
            // Timestamps differ between runs, so compare what does not depend on them.
            assertEquals(factory.next(1L).key(), record.key());
          }
          ctx.completeNow();
        })));
  }

  @Test
  void failedSendsAreCountedAndDoNotStopTheGenerator(Vertx vertx, VertxTestContext ctx) {
    MockProducer<String, byte[]> mock = new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    mock.sendException = new KafkaException("broker says no");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GeneratorVerticle verticle = new GeneratorVerticle(config("10000", "50"), "mock",
        new PipelineMetrics(registry), v -> KafkaProducer.create(v, mock));
    vertx.deployVerticle(verticle)
        .compose(id -> verticle.finished())
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals("50 of 50 sends failed", e.getMessage());
          assertEquals(50.0, count(registry, "events_failed", "produce"));
          assertEquals(0.0, count(registry, "events_produced", null));
          ctx.completeNow();
        })));
  }

  @Test
  void producerIsConfiguredForDurability() {
    Map<String, String> settings = GeneratorVerticle.producerConfig(
        new Endpoints("localhost:9092", "db", 5432, "pipeline", "pipeline", "pipeline"));
    assertEquals("localhost:9092", settings.get("bootstrap.servers"));
    assertEquals("all", settings.get("acks"));
    assertEquals("true", settings.get("enable.idempotence"));
    assertEquals("5", settings.get("linger.ms"));
    assertEquals("lz4", settings.get("compression.type"));
  }
}
