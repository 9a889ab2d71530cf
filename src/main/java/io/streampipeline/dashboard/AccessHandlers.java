package io.streampipeline.dashboard;

import io.streampipeline.config.DashboardAccess;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP front door, in the order requests meet it: security headers on every answer, /health
 * (open, for probes), the host and origin checks ({@link AccessRules}), the sign-in form, and the token check
 * that guards every route mounted after {@link #guard}. Also the server's TLS options.
 */
final class AccessHandlers {
  private static final Logger log = LoggerFactory.getLogger(AccessHandlers.class);
  /** 'self' in connect-src covers ws: and wss: to this origin only; the login form posts to this origin. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
      + "base-uri 'none'; form-action 'self'; object-src 'none'";
  private static final String MESSAGE_SLOT = "<!--message-->";
  private static final long SESSION_SECONDS = 7 * 24 * 3600;

  private final DashboardAccess settings;
  private final AccessRules access;
  private final String loginPage;
  private final Buffer loginCss;

  private AccessHandlers(DashboardAccess settings, String loginPage, Buffer loginCss) {
    this.settings = settings;
    this.access = new AccessRules(settings);
    this.loginPage = loginPage;
    this.loginCss = loginCss;
  }

  /** Reads the sign-in page (webroot/login.html and login.css from the classpath). */
  static Future<AccessHandlers> load(Vertx vertx, DashboardAccess settings) {
    Future<Buffer> page = vertx.fileSystem().readFile("webroot/login.html");
    Future<Buffer> css = vertx.fileSystem().readFile("webroot/login.css");
    return Future.all(page, css).map(v -> new AccessHandlers(settings, page.result().toString(StandardCharsets.UTF_8),
        css.result()));
  }

  HttpServerOptions serverOptions() {
    HttpServerOptions options = new HttpServerOptions();
    if (settings.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.tlsCert().toString()).setKeyPath(settings.tlsKey().toString()));
    }
    return options;
  }

  /** Mounts everything up to the token check; routes mounted afterwards need the token (when one is set). */
  void guard(Router router, Handler<RoutingContext> health) {
    router.route().handler(this::securityHeaders);
    router.get("/health").handler(health);
    router.route().handler(this::sameOrigin);
    router.get("/login.css").handler(ctx -> ctx.response().putHeader("Content-Type", "text/css; charset=utf-8")
        .end(loginCss));
    router.get("/login").handler(ctx -> loginPage(ctx, 200, ""));
    router.post("/login").handler(BodyHandler.create(false).setBodyLimit(4096)).handler(this::login);
    router.post("/logout").handler(this::logout);
    router.route().handler(this::authorized);
  }

  private void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin");
    if (settings.tls()) {
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
    String own = (settings.tls() ? "https" : "http") + "://"
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
          .setHttpOnly(true).setSameSite(CookieSameSite.STRICT).setSecure(settings.tls())
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
}
