package io.streampipeline.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipeline.bus.LocalCodec;
import io.streampipeline.dashboard.DashboardVerticle;
import io.streampipeline.generator.GeneratorVerticle;
import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Schema;
import io.streampipeline.infra.Topics;
import io.streampipeline.ingest.IngestVerticle;
import io.streampipeline.metrics.MetricsVerticle;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.metrics.ProcessMetrics;
import io.streampipeline.sink.OutboxPublisherVerticle;
import io.streampipeline.sink.SinkVerticle;
import io.streampipeline.window.WindowVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running process: the embedded Kafka and PostgreSQL when their addresses are unset, Vert.x with
 * Micrometer, and the verticles of the roles asked for. {@link #stop()} undoes it in reverse order, lanes
 * first, so everything read is checkpointed before the clients close.
 */
public final class Application {
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

  public Application(PipelineConfig config) {
    this.config = config;
  }

  /** Starts everything; blocks until deployed. Throws if any part fails (after stopping what started). */
  public Application start() {
    try {
      startInfrastructure();
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      ProcessMetrics.bindTo(registry);
      metrics = new PipelineMetrics(registry);
      vertx = Vertx.builder()
          .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
          .withMetrics(new MicrometerMetricsFactory(registry))
          .build();
      LocalCodec.registerAll(vertx);
      Topics.ensure(endpoints.kafkaBootstrapServers(), config);
      await(applySchema());
      deployRoles();
      return this;
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  private void startInfrastructure() {
    String bootstrap = config.kafkaBootstrapServers();
    if (bootstrap == null) {
      kafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"), config.embeddedKafkaPort());
      bootstrap = kafka.bootstrapServers();
      log.info("Embedded Kafka broker (KRaft) listening on {} (data in {})", bootstrap,
          config.dataDir().resolve("kafka").toAbsolutePath().normalize());
    }
    if (config.postgresHost() == null) {
      postgres = EmbeddedPostgres.start(config.dataDir().resolve("postgres"), config.embeddedPostgresPort());
      log.info("Embedded PostgreSQL listening on 127.0.0.1:{} (database/user/password {}; "
              + "psql -h 127.0.0.1 -p {} -U {} {})", postgres.port(), EmbeddedPostgres.NAME, postgres.port(),
          EmbeddedPostgres.NAME, EmbeddedPostgres.NAME);
      endpoints = new Endpoints(bootstrap, "127.0.0.1", postgres.port(), EmbeddedPostgres.NAME,
          EmbeddedPostgres.NAME, EmbeddedPostgres.NAME);
    } else {
      endpoints = new Endpoints(bootstrap, config.postgresHost(), config.postgresPort(), config.postgresDatabase(),
          config.postgresUser(), config.postgresPassword());
    }
  }

  private Future<Void> applySchema() {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("schema"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    return Schema.apply(pool).eventually(pool::close);
  }

  private void deployRoles() {
    deploy(new MetricsVerticle(registry, config.metricsPort()));
    if (config.has(Role.DASHBOARD)) {
      deploy(new DashboardVerticle(config, endpoints, metrics));
    }
    if (config.has(Role.PIPELINE)) {
      deploy(new OutboxPublisherVerticle(config, endpoints));
      for (int lane = 0; lane < config.pipelineInstances(); lane++) {
        deploy(new SinkVerticle(lane, config, endpoints, metrics));
        deploy(new WindowVerticle(lane, config, metrics));
      }
      for (int lane = 0; lane < config.pipelineInstances(); lane++) {
        deploy(new IngestVerticle(lane, config, endpoints, metrics));
      }
    }
    if (config.has(Role.GENERATOR)) {
      deploy(new GeneratorVerticle(config, endpoints.kafkaBootstrapServers(), metrics));
    }
  }

  private void deploy(Deployable verticle) {
    deployments.push(await(vertx.deployVerticle(verticle)));
  }

  /** Graceful: stop producing, drain and checkpoint the lanes, close clients, then the embedded servers. */
  public void stop() {
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

  public PipelineMetrics metrics() {
    return metrics;
  }

  public Vertx vertx() {
    return vertx;
  }
}
