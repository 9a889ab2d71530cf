package io.streampipeline.outbox;

import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.config.SchemaRegistrySettings.WireFormat;
import io.streampipeline.bus.Addresses;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.registry.SchemaRegistryClient;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link OutboxPublisher}'s rounds: every second, and whenever a checkpoint has put something in the outbox
 * ({@link Addresses#OUTBOX_READY}). Rows are locked while they are sent, so several processes share the work.
 *
 * <p>With AGGREGATED_WIRE_FORMAT=registry, the AggregatedMetrics schema is registered under the subject
 * {@code <aggregated topic>-value} (TopicNameStrategy) and windows go out registry-framed with its id; until the
 * registry has answered, windows wait in the outbox (dead letters do not).
 */
public final class OutboxPublisherVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxPublisherVerticle.class);
  private static final long TICK_MS = 1000;

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private Pool pool;
  private KafkaProducer<String, byte[]> producer;
  private SchemaRegistryClient registry;
  private Integer aggregatedSchemaId;
  private OutboxPublisher publisher;
  private long timer;

  public OutboxPublisherVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    // Custom plans only: the tables this connection reads grow from nothing to millions of rows while it runs, and
    // a generic plan made while they were small (after five executions) would be kept for good.
    PgConnectOptions options = endpoints.pgConnectOptions();
    Map<String, String> properties = new HashMap<>(options.getProperties());
    properties.put("plan_cache_mode", "force_custom_plan");
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("outbox"))
        .connectingTo(options.setProperties(properties)).using(vertx).build();
    producer = KafkaProducer.create(vertx, KafkaClients.producer(endpoints,
        "stream-pipeline-outbox-" + ProcessIdentity.id()));
    if (config.schemaRegistry().aggregatedWireFormat() == WireFormat.REGISTRY) {
      registry = new SchemaRegistryClient(vertx, config.schemaRegistry());
    }
    // A failed send also reaches the stream's exception handler; its own future carries it to the publisher, which
    // logs what matters per row. Without a handler Vert.x would log each one again as unhandled.
    producer.exceptionHandler(err -> log.debug("outbox: a send failed: {}", err.toString()));
    publisher = new OutboxPublisher(new PgOutboxStore(pool),
        (topic, key, value) -> producer.send(KafkaProducerRecord.create(topic, key, value)),
        this::aggregatedSchemaId, config.kafka().aggregatedTopic(), config.kafka().dlqTopic(), metrics);
    timer = vertx.setPeriodic(TICK_MS, id -> publisher.publish());
    return vertx.eventBus().consumer(Addresses.OUTBOX_READY, msg -> publisher.publish()).completion();
  }

  /** Registers the AggregatedMetrics schema once, when windows go out registry-framed; null otherwise. */
  private Future<Integer> aggregatedSchemaId() {
    if (registry == null || aggregatedSchemaId != null) {
      return Future.succeededFuture(aggregatedSchemaId);
    }
    String subject = config.kafka().aggregatedTopic() + "-value";
    return registry.register(subject, AggregatedCodec.V2.toString()).map(id -> {
      aggregatedSchemaId = id;
      log.info("outbox: AggregatedMetrics v2 is schema id {} (subject {}) at {}; windows go out registry-framed",
          id, subject, registry.url());
      return id;
    });
  }

  @Override
  public Future<?> stop() {
    publisher.stop();
    vertx.cancelTimer(timer);
    Future<Void> registryClosed = registry == null ? Future.succeededFuture() : registry.close();
    return registryClosed.eventually(() -> producer.close()).eventually(() -> pool.close());
  }
}
