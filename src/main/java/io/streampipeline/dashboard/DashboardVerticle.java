package io.streampipeline.dashboard;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.app.Role;
import io.streampipeline.bus.Addresses;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard on DASHBOARD_PORT: the page (webroot/ from the classpath), the SockJS event-bus bridge
 * at /eventbus (outbound only: browsers may listen to {@link Addresses#DASHBOARD_STATS}, every message a
 * browser sends is refused with access_denied), /api/stats ({@link StatsJson}) and /health
 * ({@link HealthCheck}).
 *
 * <p>Everything it shows comes from what any process can see, so it works when the pipeline runs elsewhere:
 * closed windows from clickstream.aggregated ({@link AggregatedFeed} into {@link DashboardState}), lag and
 * throughput from Kafka offsets ({@link KafkaProgress}), stored rows and dead letters from PostgreSQL
 * ({@link StoreCounters}). Only the late-event rate needs a lane in this process (it is a meter, not data).
 * Once a second the same JSON as /api/stats is published to browsers.
 */
public final class DashboardVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DashboardVerticle.class);
  private static final long PUSH_MS = 1000;
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
      + "base-uri 'none'; form-action 'none'";

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final DashboardState state = new DashboardState();
  private final RateMeter late = new RateMeter(60_000);
  private Pool pool;
  private KafkaAdminClient admin;
  private AggregatedFeed feed;
  private KafkaProgress kafka;
  private StoreCounters store;
  private HealthCheck health;
  private HttpServer server;
  private boolean polling;
  private boolean kafkaFailing;
  private boolean storeFailing;
  private boolean stopped;

  public DashboardVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(2).setName("dashboard").setConnectionTimeout(3)
            .setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    admin = KafkaAdminClient.create(vertx, Map.of(
        "bootstrap.servers", endpoints.kafkaBootstrapServers(),
        "client.id", "stream-pipeline-dashboard-admin-" + ProcessHandle.current().pid(),
        // A broker that is down must make /health answer DOWN quickly, not after a minute.
        "request.timeout.ms", "3000",
        "default.api.timeout.ms", "5000"));
    kafka = new KafkaProgress(admin, config.clickstreamTopic(), config.consumerGroup());
    store = new StoreCounters(pool);
    health = new HealthCheck(admin, pool);
    feed = new AggregatedFeed(vertx, endpoints.kafkaBootstrapServers(), config.aggregatedTopic(),
        window -> state.add(window, System.currentTimeMillis()));
    vertx.setPeriodic(PUSH_MS, id -> tick());
    countStoredRows(0);
    return feed.start()
        .compose(v -> vertx.createHttpServer().requestHandler(router()).listen(config.dashboardPort(), "0.0.0.0"))
        .onSuccess(s -> {
          server = s;
          log.info("Dashboard at http://localhost:{}/ (reading {})", s.actualPort(), config.aggregatedTopic());
        });
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(DashboardVerticle::securityHeaders);
    router.get("/health").handler(this::health);
    router.get("/api/stats").handler(ctx -> ctx.response().putHeader("Cache-Control", "no-store")
        .putHeader("Content-Type", "application/json").end(stats().encode()));
    SockJSBridgeOptions bridge = new SockJSBridgeOptions();
    Addresses.OUTBOUND.forEach(address -> bridge.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge));
    router.route("/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(300));
    return router;
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }

  private void health(RoutingContext ctx) {
    health.run().onSuccess(report -> ctx.response().setStatusCode(report.httpStatus())
        .putHeader("Cache-Control", "no-store").putHeader("Content-Type", "application/json")
        .end(report.json().encode()));
  }

  private void tick() {
    long now = System.currentTimeMillis();
    if (config.has(Role.PIPELINE)) {
      late.record(now, metrics.totalLate());
    }
    if (!polling) {
      polling = true;
      kafka.poll(now)
          .onSuccess(v -> {
            if (kafkaFailing) {
              log.info("dashboard: Kafka offsets readable again");
            }
            kafkaFailing = false;
          })
          .onFailure(e -> {
            if (!kafkaFailing) {
              log.warn("dashboard: cannot read Kafka offsets for lag ({}); retrying every second", e.toString());
            }
            kafkaFailing = true;
          })
          .onComplete(ar -> polling = false);
    }
    vertx.eventBus().publish(Addresses.DASHBOARD_STATS, stats());
  }

  private void countStoredRows(long delayMs) {
    vertx.setTimer(Math.max(1, delayMs), id -> store.refresh()
        .onSuccess(v -> storeFailing = false)
        .onFailure(e -> {
          if (!storeFailing) {
            log.warn("dashboard: cannot count stored rows ({}); retrying", e.toString());
          }
          storeFailing = true;
        })
        .onComplete(ar -> {
          if (!stopped) {
            countStoredRows(store.nextDelayMs());
          }
        }));
  }

  private JsonObject stats() {
    return StatsJson.build(new StatsJson.Inputs(System.currentTimeMillis(), config.tumblingWindowMs(),
        config.revenueWindowMs(), state, kafka, store, config.has(Role.PIPELINE) ? late.perSecond() : null));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(feed::stop).eventually(admin::close).eventually(pool::close);
  }
}
