package io.streampipeline.dashboard;

import io.streampipeline.bus.Addresses;
import io.streampipeline.config.DashboardAccess;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.Role;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
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
 * The live dashboard on DASHBOARD_PORT (on DASHBOARD_HOST, over TLS when configured): the page (webroot/ from the
 * classpath), the SockJS event-bus bridge at /eventbus (outbound only: browsers may listen to
 * {@link Addresses#DASHBOARD_STATS}, every message a browser sends is refused with access_denied), /api/stats
 * ({@link StatsJson}), /api/windows (stored windows of a period), /api/dlq (dead letters by reason) and /health
 * ({@link HealthCheck}). Who gets in is decided in front of all of it by {@link AccessHandlers}.
 *
 * <p>Everything it shows comes from what any process can see, so it works when the pipeline runs elsewhere:
 * closed windows from clickstream.aggregated ({@link AggregatedFeed} into {@link DashboardState}) and, for the
 * past, PostgreSQL ({@link DashboardQueries}); lag, throughput and lanes from Kafka ({@link KafkaProgress});
 * stored rows and dead letters from PostgreSQL ({@link StoreCounters}). Only the late-event rate and the
 * checkpoint time need a lane in this process (they are meters, not data). Once a second the same JSON as
 * /api/stats is published to browsers; figures that cost a query are read every {@value #SLOW_MS} ms.
 */
public final class DashboardVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DashboardVerticle.class);
  private static final long PUSH_MS = 1000;
  /** How often the figures that cost a query (exact top lists, open window, reasons, checkpoints) are read. */
  private static final long SLOW_MS = 5000;
  private static final long HOUR_MS = 3_600_000;
  private static final Map<String, Long> RANGES = Map.of("15m", 15 * 60_000L, "1h", HOUR_MS, "6h", 6 * HOUR_MS,
      "24h", 24 * HOUR_MS);
  private static final int DEFAULT_PAGE_SIZE = 50;
  private static final int MAX_PAGE = 10_000;

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final DashboardState state = new DashboardState();
  private final RateMeter late = new RateMeter(60_000);
  private AccessHandlers access;
  private Pool pool;
  private KafkaAdminClient admin;
  private AggregatedFeed feed;
  private KafkaProgress kafka;
  private StoreCounters store;
  private DashboardQueries queries;
  private final SlowFacts facts = new SlowFacts();
  private boolean slowRunning;
  private double checkpointCount;
  private double checkpointTotalMs;
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
    Map<String, String> adminProps = KafkaClients.admin(endpoints,
        "stream-pipeline-dashboard-admin-" + ProcessHandle.current().pid());
    // A broker that is down must make /health answer DOWN quickly, not after a minute.
    adminProps.put("request.timeout.ms", "3000");
    adminProps.put("default.api.timeout.ms", "5000");
    admin = KafkaAdminClient.create(vertx, adminProps);
    kafka = new KafkaProgress(admin, config.kafka().clickstreamTopic(), config.kafka().consumerGroup());
    store = new StoreCounters(pool);
    queries = new DashboardQueries(pool);
    health = HealthCheck.of(admin, pool);
    feed = new AggregatedFeed(vertx, endpoints, config.kafka().aggregatedTopic(), config.schemaRegistry(),
        window -> state.add(window, System.currentTimeMillis()));
    vertx.setPeriodic(PUSH_MS, id -> tick());
    vertx.setPeriodic(1, SLOW_MS, id -> readSlowFacts());
    countStoredRows(0);
    DashboardAccess settings = config.dashboard().access();
    return AccessHandlers.load(vertx, settings)
        .compose(handlers -> {
          access = handlers;
          return feed.start();
        })
        .compose(v -> vertx.createHttpServer(access.serverOptions()).requestHandler(router())
            .listen(config.dashboard().port(), settings.host()))
        .onSuccess(s -> {
          server = s;
          log.info("Dashboard at {}://{}:{}/ (reading {}; {}{})", settings.tls() ? "https" : "http",
              settings.host(), s.actualPort(), config.kafka().aggregatedTopic(),
              settings.authToken() != null ? "access token required"
                  : "no access token: anyone who reaches it may look",
              settings.allowedOrigins().isEmpty() ? "" : "; also usable from " + settings.allowedOrigins());
        });
  }

  private Router router() {
    Router router = Router.router(vertx);
    access.guard(router, this::health);
    router.get("/api/stats").handler(ctx -> json(ctx, 200, stats()));
    router.get("/api/windows").handler(this::windows);
    router.get("/api/dlq").handler(this::deadLetters);
    SockJSBridgeOptions bridge = new SockJSBridgeOptions();
    Addresses.OUTBOUND.forEach(address -> bridge.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge));
    router.route("/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(300));
    return router;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Cache-Control", "no-store")
        .putHeader("Content-Type", "application/json").end(body.encode());
  }

  /** GET /api/windows?range=15m|1h|6h|24h: the stored windows of that period and the exact top lists over it. */
  private void windows(RoutingContext ctx) {
    String range = ctx.request().getParam("range", "1h");
    Long rangeMs = RANGES.get(range);
    if (rangeMs == null) {
      json(ctx, 400, new JsonObject().put("error", "range must be one of 15m, 1h, 6h, 24h"));
      return;
    }
    queries.windows(rangeMs, System.currentTimeMillis())
        .compose(found -> found.getLong("to") == null ? Future.succeededFuture(found.put("top", null))
            : queries.top(found.getLong("from"), found.getLong("to")).map(top -> found.put("top", top)))
        .onSuccess(found -> json(ctx, 200, found.put("range", range)))
        .onFailure(e -> unavailable(ctx, "stored windows", e));
  }

  /** GET /api/dlq?reason=...&page=0&size=50: dead letters with exactly that reason, newest first. */
  private void deadLetters(RoutingContext ctx) {
    String reason = ctx.request().getParam("reason");
    Integer page = number(ctx.request().getParam("page"), 0, 0, MAX_PAGE);
    Integer size = number(ctx.request().getParam("size"), DEFAULT_PAGE_SIZE, 1, DashboardQueries.MAX_PAGE_SIZE);
    if (reason == null || page == null || size == null) {
      json(ctx, 400, new JsonObject().put("error", "reason is required; page 0-" + MAX_PAGE + ", size 1-"
          + DashboardQueries.MAX_PAGE_SIZE));
      return;
    }
    queries.deadLetters(reason, page, size).onSuccess(found -> json(ctx, 200, found))
        .onFailure(e -> unavailable(ctx, "dead letters", e));
  }

  private static Integer number(String text, int fallback, int min, int max) {
    if (text == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text);
      return n < min || n > max ? null : n;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void unavailable(RoutingContext ctx, String what, Throwable e) {
    log.warn("dashboard: cannot read {} ({})", what, e.toString());
    json(ctx, 503, new JsonObject().put("error", what + " cannot be read right now"));
  }

  private void readSlowFacts() {
    if (slowRunning || stopped) {
      return;
    }
    slowRunning = true;
    long now = System.currentTimeMillis();
    DashboardState.HourTotals hour = state.lastHour();
    Future<?> top = hour.windows() == 0 ? Future.succeededFuture()
        : queries.top(hour.from(), hour.to()).onSuccess(t -> facts.top = t);
    GlobalWindow latest = state.latest(io.streampipeline.bus.WindowType.EVENTS_PER_MINUTE);
    Future<?> open = latest == null ? Future.succeededFuture()
        : queries.openWindow(latest.windowEnd(), latest.windowEnd() + config.windows().tumblingMs())
            .onSuccess(o -> facts.openWindow = o);
    Future<?> reasons = queries.deadLetterReasons(now - HOUR_MS).onSuccess(r -> facts.deadLetterReasons = r);
    Future<?> checkpoints = queries.checkpoints(config.kafka().consumerGroup(), config.kafka().clickstreamTopic())
        .onSuccess(c -> facts.checkpoints = c);
    Future<?> lanes = kafka.lanes().onSuccess(l -> facts.lanes = l);
    readCheckpointTimer();
    Future.join(top, open, reasons, checkpoints, lanes)
        .onFailure(e -> log.debug("dashboard: some slow figures not read: {}", e.toString()))
        .onComplete(ar -> slowRunning = false);
  }

  /** Mean checkpoint time since the last read, from this process's timer (only when a lane runs here). */
  private void readCheckpointTimer() {
    if (!config.has(Role.PIPELINE)) {
      return;
    }
    io.micrometer.core.instrument.Timer timer = metrics.registry().find("stream_pipeline_checkpoint_duration")
        .timer();
    if (timer == null) {
      return;
    }
    double count = timer.count();
    double totalMs = timer.totalTime(TimeUnit.MILLISECONDS);
    if (count > checkpointCount) {
      facts.checkpointMs = (totalMs - checkpointTotalMs) / (count - checkpointCount);
    }
    checkpointCount = count;
    checkpointTotalMs = totalMs;
  }

  private void health(RoutingContext ctx) {
    health.current().onSuccess(report -> ctx.response().setStatusCode(report.httpStatus())
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
    return StatsJson.build(new StatsJson.Inputs(System.currentTimeMillis(), config.windows().tumblingMs(),
        config.windows().revenueMs(), state, kafka, store, config.has(Role.PIPELINE) ? late.perSecond() : null, facts));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(feed::stop).eventually(admin::close).eventually(pool::close);
  }
}
