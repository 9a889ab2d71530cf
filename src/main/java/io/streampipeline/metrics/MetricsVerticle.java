package io.streampipeline.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.health.CachedProbe;
import io.streampipeline.health.Liveness;
import io.streampipeline.health.ProbeReport;
import io.streampipeline.health.Readiness;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves, on METRICS_PORT, for every role: the Prometheus text format at /metrics, /health/live (restart the
 * process when it fails) and /health/ready (take it into service / go on with a rollout when it passes); see
 * {@link Liveness} and {@link Readiness}. Each probe runs for real at most once a second.
 */
public final class MetricsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);
  private static final long PROBE_MAX_AGE_MS = 1_000;
  private final PrometheusMeterRegistry registry;
  private final int port;
  private final Endpoints endpoints;
  private final Readiness.PipelineLanes lanes;
  private HttpServer server;
  private KafkaAdminClient admin;
  private Pool pool;
  private CachedProbe<ProbeReport> live;
  private CachedProbe<ProbeReport> ready;

  /** {@code lanes}: the pipeline lanes of this process, or null when it runs none. */
  public MetricsVerticle(PrometheusMeterRegistry registry, int port, Endpoints endpoints,
      Readiness.PipelineLanes lanes) {
    this.registry = registry;
    this.port = port;
    this.endpoints = endpoints;
    this.lanes = lanes;
  }

  @Override
  public Future<?> start() {
    Map<String, String> adminProps = new HashMap<>(KafkaClients.admin(endpoints,
        "stream-pipeline-health-" + ProcessIdentity.id()));
    adminProps.put("request.timeout.ms", "3000");
    adminProps.put("default.api.timeout.ms", "5000");
    admin = KafkaAdminClient.create(vertx, adminProps);
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setName("health").setConnectionTimeout(3)
            .setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    Liveness liveness = new Liveness(vertx);
    Readiness readiness = new Readiness(admin, pool, lanes);
    live = new CachedProbe<>(liveness::check, PROBE_MAX_AGE_MS, System::currentTimeMillis);
    ready = new CachedProbe<>(readiness::check, PROBE_MAX_AGE_MS, System::currentTimeMillis);

    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(ctx -> answer(ctx, live));
    router.get("/health/ready").handler(ctx -> answer(ctx, ready));
    return vertx.createHttpServer().requestHandler(router).listen(port, "0.0.0.0")
        .onSuccess(s -> {
          server = s;
          log.info("Prometheus metrics at http://localhost:{}/metrics, probes at /health/live and /health/ready",
              s.actualPort());
        });
  }

  private static void answer(RoutingContext ctx, CachedProbe<ProbeReport> probe) {
    probe.get().onComplete((report, err) -> {
      if (err != null) {
        ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
            .end("{\"status\":\"DOWN\"}");
        return;
      }
      ctx.response().setStatusCode(report.httpStatus()).putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store").end(report.json().encode());
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(admin.close(), pool.close());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
