package io.streampipeline.dashboard;

import io.streampipeline.app.DashboardAccess;
import io.streampipeline.app.Endpoints;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.app.Role;
import io.streampipeline.bus.Addresses;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.charset.StandardCharsets;
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
  /** How often the figures that cost a query (exact top lists, open window, reasons, checkpoints) are read. */
  private static final long SLOW_MS = 5000;
  private static final long HOUR_MS = 3_600_000;
  private static final Map<String, Long> RANGES = Map.of("15m", 15 * 60_000L, "1h", HOUR_MS, "6h", 6 * HOUR_MS,
      "24h", 24 * HOUR_MS);
  private static final int DEFAULT_PAGE_SIZE = 50;
  private static final int MAX_PAGE = 10_000;
  /** 'self' in connect-src covers ws: and wss: to this origin only; the login form posts to this origin. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
      + "base-uri 'none'; form-action 'self'; object-src 'none'";
  private static final String MESSAGE_SLOT = "<!--message-->";
  private static final long SESSION_SECONDS = 7 * 24 * 3600;

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final DashboardState state = new DashboardState();
  private final RateMeter late = new RateMeter(60_000);
  private final AccessRules access;
  private String loginPage;
  private Buffer loginCss;
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
    this.access = new AccessRules(config.dashboardAccess());
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
    queries = new DashboardQueries(pool);
    health = HealthCheck.of(admin, pool);
    feed = new AggregatedFeed(vertx, endpoints.kafkaBootstrapServers(), config.aggregatedTopic(),
        window -> state.add(window, System.currentTimeMillis()));
    vertx.setPeriodic(PUSH_MS, id -> tick());
    vertx.setPeriodic(1, SLOW_MS, id -> readSlowFacts());
    countStoredRows(0);
    DashboardAccess settings = config.dashboardAccess();
    return Future.all(vertx.fileSystem().readFile("webroot/login.html"), vertx.fileSystem().readFile("webroot/login.css"))
        .compose(files -> {
          loginPage = files.<Buffer>resultAt(0).toString(StandardCharsets.UTF_8);
          loginCss = files.resultAt(1);
          return feed.start();
        })
        .compose(v -> vertx.createHttpServer(serverOptions(settings)).requestHandler(router())
            .listen(config.dashboardPort(), settings.host()))
        .onSuccess(s -> {
          server = s;
          log.info("Dashboard at {}://{}:{}/ (reading {}; {}{})", settings.tls() ? "https" : "http",
              settings.host(), s.actualPort(), config.aggregatedTopic(),
              access.tokenRequired() ? "access token required" : "no access token: anyone who reaches it may look",
              settings.allowedOrigins().isEmpty() ? "" : "; also usable from " + settings.allowedOrigins());
        });
  }

  private static HttpServerOptions serverOptions(DashboardAccess settings) {
    HttpServerOptions options = new HttpServerOptions();
    if (settings.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tlsCert().toString()).setKeyPath(settings.tlsKey().toString()));
    }
    return options;
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(this::securityHeaders);
    router.get("/health").handler(this::health);
    router.route().handler(this::sameOrigin);
    router.get("/login.css").handler(ctx -> ctx.response().putHeader("Content-Type", "text/css; charset=utf-8")
        .end(loginCss));
    router.get("/login").handler(ctx -> loginPage(ctx, 200, ""));
    router.post("/login").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(this::login);
    router.post("/logout").handler(this::logout);
    router.route().handler(this::authorized);
    router.get("/api/stats").handler(ctx -> json(ctx, 200, stats()));
    router.get("/api/windows").handler(this::windows);
    router.get("/api/dlq").handler(this::deadLetters);
    SockJSBridgeOptions bridge = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.DASHBOARD_STATS));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge));
    router.route("/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(300));
    return router;
  }

  private void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin");
    if (config.dashboardAccess().tls()) {
      ctx.response().putHeader("Strict-Transport-Security", "max-age=31536000");
    }
    ctx.next();
  }

  /**
   * Pages of other origins get nothing (the SockJS transport would otherwise answer them with their own
   * origin and credentials allowed). Checked before the token, so a stolen cookie cannot be used cross-site.
   */
  private void sameOrigin(RoutingContext ctx) {
    HostAndPort authority = ctx.request().authority();
    String own = (config.dashboardAccess().tls() ? "https" : "http") + "://"
        + (authority == null ? "" : authority.host() + (authority.port() >= 0 ? ":" + authority.port() : ""));
    String origin = ctx.request().getHeader("Origin");
    if (!access.hostAllowed(authority == null ? null : authority.host())) {
      ctx.response().setStatusCode(421).putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("Cache-Control", "no-store").end("This dashboard answers to IP addresses, localhost and "
              + "DASHBOARD_HOST only, unless DASHBOARD_AUTH_TOKEN is set or the name is in DASHBOARD_ALLOWED_ORIGINS.\n");
      return;
    }
    if (!access.originAllowed(origin, own)) {
      ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("Cache-Control", "no-store").end("cross-origin requests are not allowed\n");
      return;
    }
    if (origin != null && !origin.equalsIgnoreCase(own) && !ctx.request().path().startsWith("/eventbus/")) {
      // A listed origin (DASHBOARD_ALLOWED_ORIGINS) may read the API; the bridge answers CORS by itself.
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin")
          .putHeader("Access-Control-Allow-Credentials", "true");
      if (ctx.request().method() == HttpMethod.OPTIONS) {
        ctx.response().setStatusCode(204).putHeader("Access-Control-Allow-Methods", "GET")
            .putHeader("Access-Control-Allow-Headers", "Authorization").putHeader("Access-Control-Max-Age", "600")
            .end();
        return;
      }
    }
    ctx.next();
  }

  private void authorized(RoutingContext ctx) {
    Cookie session = ctx.request().getCookie(AccessRules.COOKIE);
    if (access.authorized(ctx.request().getHeader("Authorization"), session == null ? null : session.getValue())) {
      ctx.next();
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && accept.contains("text/html")) {
      loginPage(ctx, 401, "");
    } else {
      ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"dashboard\"")
          .putHeader("Cache-Control", "no-store").putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "unauthorized").encode());
    }
  }

  private void loginPage(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(loginPage.replace(MESSAGE_SLOT, message));
  }

  private void login(RoutingContext ctx) {
    String token = ctx.request().getFormAttribute("token");
    if (!access.tokenRequired()) {
      ctx.redirect("/");
    } else if (access.tokenMatches(token)) {
      ctx.response().addCookie(Cookie.cookie(AccessRules.COOKIE, access.sessionCookieValue()).setPath("/")
          .setHttpOnly(true).setSameSite(CookieSameSite.STRICT).setSecure(config.dashboardAccess().tls())
          .setMaxAge(SESSION_SECONDS));
      ctx.response().setStatusCode(303).putHeader("Location", "/").putHeader("Cache-Control", "no-store").end();
    } else {
      // Which token was tried is never logged.
      log.warn("dashboard: failed login from {}", ctx.request().remoteAddress());
      loginPage(ctx, 401, "That token is not right.");
    }
  }

  private void logout(RoutingContext ctx) {
    ctx.response().addCookie(Cookie.cookie(AccessRules.COOKIE, "").setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setMaxAge(0));
    ctx.response().setStatusCode(303).putHeader("Location", "/login").end();
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
    GlobalWindow latest = state.latest(io.streampipeline.window.WindowType.EVENTS_PER_MINUTE);
    Future<?> open = latest == null ? Future.succeededFuture()
        : queries.openWindow(latest.windowEnd(), latest.windowEnd() + config.tumblingWindowMs())
            .onSuccess(o -> facts.openWindow = o);
    Future<?> reasons = queries.deadLetterReasons(now - HOUR_MS).onSuccess(r -> facts.deadLetterReasons = r);
    Future<?> checkpoints = queries.checkpoints(config.consumerGroup(), config.clickstreamTopic())
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
    return StatsJson.build(new StatsJson.Inputs(System.currentTimeMillis(), config.tumblingWindowMs(),
        config.revenueWindowMs(), state, kafka, store, config.has(Role.PIPELINE) ? late.perSecond() : null, facts));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(feed::stop).eventually(admin::close).eventually(pool::close);
  }
}
