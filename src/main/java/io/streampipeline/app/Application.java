package io.streampipeline.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipeline.bench.BenchedPipeline;
import io.streampipeline.bus.LocalCodec;
import io.streampipeline.config.ConnectionSettings;
import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.OpsConfig;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.config.Role;
import io.streampipeline.config.Secret;
import io.streampipeline.dashboard.DashboardVerticle;
import io.streampipeline.generator.GeneratorVerticle;
import io.streampipeline.health.LaneProgress;
import io.streampipeline.health.Readiness;
import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.InputKeyCheck;
import io.streampipeline.infra.PostgresCheck;
import io.streampipeline.infra.Schema;
import io.streampipeline.infra.Topics;
import io.streampipeline.ingest.IngestVerticle;
import io.streampipeline.metrics.HttpMetricLabels;
import io.streampipeline.metrics.MetricsVerticle;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.metrics.ProcessMetrics;
import io.streampipeline.outbox.OutboxBacklogVerticle;
import io.streampipeline.outbox.OutboxPublisherVerticle;
import io.streampipeline.sink.RetentionVerticle;
import io.streampipeline.sink.SinkVerticle;
import io.streampipeline.window.WindowVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running process: the embedded Kafka and PostgreSQL when their addresses are unset, Vert.x with
 * Micrometer, and the verticles of the roles asked for. {@link #stop()} undoes it in reverse order, lanes
 * first, so everything read is checkpointed before the clients close.
 */
public final class Application implements BenchedPipeline {
  private static final Logger log = LoggerFactory.getLogger(Application.class);
  /** How long one deployment, undeployment or the schema may take before start or stop gives up on it. */
  private static final long AWAIT_SECONDS = 120;

  private final PipelineConfig config;
  private EmbeddedKafka kafka;
  private EmbeddedPostgres postgres;
  private Vertx vertx;
  private Endpoints endpoints;
  private PipelineMetrics metrics;
  private PrometheusMeterRegistry registry;
  /** Deployment ids, undeployed last-in first-out; ingest lanes are deployed last so they stop first. */
  private final Deque<String> deployments = new ArrayDeque<>();
  private volatile boolean stopRequested;

  public Application(PipelineConfig config) {
    this.config = config;
  }

  /**
   * Starts everything; blocks until deployed. Throws if any part fails (after stopping what started), or if
   * {@link #stop()} is called meanwhile (a SIGTERM during start-up): start-up then ends at the next step.
   */
  @Override
  public synchronized Application start() {
    try {
      startInfrastructure();
      checkNotStopping();
      if (migrateOnly()) {
        prepareSchema();
        return this;
      }
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry.config().meterFilter(HttpMetricLabels.filter());
      ProcessMetrics.bindTo(registry);
      metrics = new PipelineMetrics(registry);
      vertx = Vertx.builder()
          .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
              .addLabels(Label.HTTP_ROUTE)))
          .withMetrics(new MicrometerMetricsFactory(registry))
          .build();
      LocalCodec.registerAll(vertx);
      Topics.ensure(endpoints.kafkaBootstrapServers(), endpoints.kafkaProperties(), config);
      if (config.has(Role.PIPELINE)) {
        new InputKeyCheck(registry).sample(endpoints.kafkaBootstrapServers(), endpoints.kafkaProperties(),
            config.kafka().clickstreamTopic(), Duration.ofSeconds(10));
      }
      checkNotStopping();
      await(PostgresCheck.run(vertx, endpoints, config));
      prepareSchema();
      deployRoles();
      return this;
    } catch (RuntimeException e) {
      stopNow();
      throw e;
    }
  }

  /** POSTGRES_MIGRATE=only: apply the migrations and nothing else (no Kafka, no verticles). */
  public boolean migrateOnly() {
    return config.ops().postgresMigrate() == OpsConfig.Migrate.ONLY;
  }

  private void startInfrastructure() {
    String bootstrap = config.kafka().bootstrapServers();
    ConnectionSettings connections = config.connections();
    // The embedded broker has one PLAINTEXT listener: security settings meant for a real cluster do not apply.
    KafkaClientProperties kafkaProperties = bootstrap == null ? KafkaClientProperties.none()
        : connections.kafkaProperties();
    if (bootstrap == null && !connections.kafkaProperties().isEmpty()) {
      log.warn("KAFKA_PROPERTY_* / KAFKA_PROPERTIES_FILE ignored: they apply to the Kafka named by "
          + "KAFKA_BOOTSTRAP_SERVERS, not to the embedded broker");
    }
    if (bootstrap == null && !migrateOnly()) {
      kafka = EmbeddedKafka.start(config.embedded().dataDir().resolve("kafka"), config.embedded().kafkaPort());
      bootstrap = kafka.bootstrapServers();
      log.info("Embedded Kafka broker (KRaft) listening on {} (data in {})", bootstrap,
          config.embedded().dataDir().resolve("kafka").toAbsolutePath().normalize());
    }
    if (config.postgres().host() == null) {
      postgres = EmbeddedPostgres.start(config.embedded().dataDir().resolve("postgres"),
          config.embedded().postgresPort());
      log.info("Embedded PostgreSQL listening on 127.0.0.1:{} (database/user/password {}; "
              + "psql -h 127.0.0.1 -p {} -U {} {})", postgres.port(), EmbeddedPostgres.NAME, postgres.port(),
          EmbeddedPostgres.NAME, EmbeddedPostgres.NAME);
      endpoints = new Endpoints(bootstrap, kafkaProperties, "127.0.0.1", postgres.port(), EmbeddedPostgres.NAME,
          EmbeddedPostgres.NAME, Secret.of(EmbeddedPostgres.NAME), connections.postgresSslMode(true),
          connections.postgresSslRootCert());
    } else {
      endpoints = new Endpoints(bootstrap, kafkaProperties, config.postgres().host(), config.postgres().port(),
          config.postgres().database(), config.postgres().user(), config.postgres().password(),
          connections.postgresSslMode(false), connections.postgresSslRootCert());
    }
  }

  /** POSTGRES_MIGRATE=true or only applies pending migrations; false only checks that none is pending. */
  private void prepareSchema() {
    Schema.prepare(Schema.Target.of(endpoints), config.ops().postgresMigrate());
  }

  private void deployRoles() {
    Readiness.PipelineLanes lanes = null;
    if (config.has(Role.PIPELINE)) {
      LaneProgress progress = new LaneProgress();
      Readiness.watchLanes(vertx, config.lanes().instances(), progress);
      lanes = new Readiness.PipelineLanes(config.kafka().consumerGroup(), config.kafka().clickstreamTopic(),
          config.lanes().instances(), ProcessIdentity.LANE_CLIENT_ID_PREFIX, progress);
    }
    deploy(new MetricsVerticle(registry, config.metricsPort(), endpoints, lanes));
    if (config.has(Role.DASHBOARD)) {
      deploy(new DashboardVerticle(config, endpoints, metrics));
      deploy(new io.streampipeline.bridge.TcpBridgeVerticle(config, endpoints));
    }
    if (config.has(Role.PIPELINE)) {
      deploy(new OutboxPublisherVerticle(config, endpoints, metrics));
      deploy(new OutboxBacklogVerticle(config, endpoints, metrics));
      deploy(new RetentionVerticle(config.ops(), endpoints));
      // Downstream first, so each lane's bus addresses have consumers before its ingest reads a record.
      deployLanes(lane -> new SinkVerticle(lane, config, endpoints, metrics));
      deployLanes(lane -> new WindowVerticle(lane, config, metrics));
      deployLanes(lane -> new IngestVerticle(lane, config, endpoints, metrics));
    }
    if (config.has(Role.GENERATOR)) {
      deploy(new GeneratorVerticle(config, endpoints, metrics));
    }
  }

  private void deploy(Deployable verticle) {
    checkNotStopping();
    deployments.push(await(vertx.deployVerticle(verticle)));
  }

  /**
   * One verticle type for every lane: PIPELINE_INSTANCES instances of one deployment, numbered 0, 1, ... by the
   * supplier. Each instance names its lane in its context's data, which JSON log lines show (JsonLogLayout).
   */
  private void deployLanes(IntFunction<Deployable> lane) {
    checkNotStopping();
    AtomicInteger next = new AtomicInteger();
    deployments.push(await(vertx.deployVerticle(() -> lane.apply(next.getAndIncrement()),
        new DeploymentOptions().setInstances(config.lanes().instances()))));
  }

  private void checkNotStopping() {
    if (stopRequested) {
      throw new IllegalStateException("stop requested during start-up");
    }
  }

  /**
   * Graceful: stop producing, drain and checkpoint the lanes, close clients, then the embedded servers. Called
   * during start-up, it waits for the current start-up step to end, then undoes what started.
   */
  @Override
  public void stop() {
    stopRequested = true;
    synchronized (this) {
      stopNow();
    }
  }

  private void stopNow() {
    if (vertx != null) {
      while (!deployments.isEmpty()) {
        String id = deployments.pop();
        try {
          await(vertx.undeploy(id));
        } catch (RuntimeException e) {
          log.warn("undeploying {} failed: {}", id, e.toString());
        }
      }
      try {
        await(vertx.close());
      } catch (RuntimeException e) {
        log.warn("closing Vert.x failed: {}", e.toString());
      }
      vertx = null;
    }
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /** Blocks the calling thread (never an event loop: start and stop run on the main thread). */
  private static <T> T await(Future<T> future) {
    try {
      return future.await(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // A timeout, or a checked failure that Future.await rethrows as it is.
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** True once {@link #stop()} was called (e.g. by the shutdown hook during start-up). */
  public boolean stopRequested() {
    return stopRequested;
  }

  @Override
  public PipelineMetrics metrics() {
    return metrics;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }
}
