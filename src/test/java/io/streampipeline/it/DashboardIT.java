package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.app.Application;
import io.streampipeline.app.ConfigLoader;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.bus.Addresses;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;

/**
 * The dashboard against a running pipeline (generator, pipeline and dashboard in one Application on real
 * Kafka and PostgreSQL, 2 s windows), seen through headless Chromium: the page fills with live figures
 * equal to PostgreSQL's, shows hostile event values as text, cannot send into the bus, and reconnects by
 * itself when its server restarts; /api/stats and /health answer as documented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DashboardIT {
  private static final String XSS_PRODUCT = "<img src=x onerror=window.__xss=1>";
  private static final String XSS_CATEGORY = "<script>window.__xss=2</script>";
  private static final long WINDOW_MS = 2000;
  private static final List<String> FIELDS = List.of("event_count", "unique_users", "page_views", "add_to_carts",
      "purchases", "total_revenue_cents", "partitions");

  private TestInfra infra;
  private String database;
  private Map<String, String> settings;
  private PipelineConfig config;
  private Application app;
  private Chromium browser;
  private Db db;
  private String base;

  @BeforeAll
  void startPipelineAndBrowser() {
    infra = TestInfra.get();
    database = infra.createDatabase();
    db = new Db(infra, database);
    settings = infra.pipelineConfig(database, "dashboard");
    settings.put("ROLES", "generator,pipeline,dashboard");
    settings.put("PRODUCER_EVENTS_PER_SECOND", "100");
    settings.put("PRODUCER_NUM_PRODUCTS", "200");
    settings.put("WINDOW_TUMBLING_WINDOW_SECONDS", "2");
    settings.put("WINDOW_REVENUE_WINDOW_SECONDS", "4");
    settings.put("WINDOW_ALLOWED_LATENESS_SECONDS", "0");
    settings.put("WINDOW_IDLE_SECONDS", "1");
    config = ConfigLoader.fromMap(settings);
    Topics.ensure(infra.bootstrapServers, config);
    app = new Application(config).start();
    base = "http://127.0.0.1:" + config.dashboardPort() + "/";
    browser = Chromium.start(1400, 1150);
  }

  @AfterAll
  void stopEverything() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (database != null) {
        infra.reconnect(database);
      }
      if (app != null) {
        app.stop();
      }
    }
  }

  @Test
  @Order(1)
  void chartsFillWithLiveFiguresEqualToPostgres() throws Exception {
    browser.driver().get(base);
    awaitState("live");
    Await.until(Duration.ofSeconds(60), "both charts filled with non-zero figures",
        () -> browser.js("const e = document.getElementById('events-chart').dataset, "
            + "r = document.getElementById('revenue-chart').dataset; return [e.points, e.max, r.points, r.max];"),
        v -> {
          List<?> l = (List<?>) v;
          return Long.parseLong((String) l.get(0)) >= 5 && Long.parseLong((String) l.get(1)) > 0
              && Long.parseLong((String) l.get(2)) >= 2 && Long.parseLong((String) l.get(3)) > 0;
        });
    for (String id : List.of("throughput", "users", "stored", "revenue-hour", "dlq", "lag")) {
      String text = Await.until(Duration.ofSeconds(30), "#" + id + " shows a figure", () -> text("#" + id),
          t -> !t.equals("–"));
      assertFalse(text.isBlank(), id);
    }
    Await.until(Duration.ofSeconds(30), "throughput, users and stored events above zero",
        () -> List.of(digits(text("#throughput")), digits(text("#users")), digits(text("#stored"))),
        l -> l.stream().allMatch(n -> n > 0));
    assertTrue(digits(text("#funnel li[data-step='page_views'] .count")) > 0, "funnel filled");
    assertTrue(count("#top-products li .name") > 0 && count("#top-categories li .name") > 0, "top lists filled");

    // Settled windows (closed a while ago, every partition reported) must read exactly as the SQL view.
    Map<Long, Map<String, Long>> compared = Await.until(Duration.ofSeconds(45),
        "settled windows on the page equal aggregated_metrics_global", this::settledWindowsIfEqual,
        m -> m != null && m.size() >= 2);
    assertTrue(compared.values().stream().allMatch(w -> w.get("event_count") > 0), compared.toString());

    screenshots();
  }

  /** The settled windows of the page's table with their figures when every one equals the database, else null. */
  private Map<Long, Map<String, Long>> settledWindowsIfEqual() {
    long now = System.currentTimeMillis();
    Map<Long, Map<String, Long>> page = pageWindows();
    Map<Long, Map<String, Long>> settled = page.entrySet().stream()
        .filter(e -> e.getKey() + WINDOW_MS < now - 5000)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    if (settled.size() < 2) {
      return null;
    }
    String starts = settled.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
    Map<Long, Map<String, Long>> stored = new HashMap<>();
    for (Map<String, Object> row : db.rows("SELECT * FROM aggregated_metrics_global "
        + "WHERE window_type = 'events_per_minute' AND window_start IN (" + starts + ")")) {
      Map<String, Long> figures = new HashMap<>();
      FIELDS.forEach(f -> figures.put(f, ((Number) row.get(f)).longValue()));
      stored.put(((Number) row.get("window_start")).longValue(), figures);
    }
    return stored.equals(settled) ? settled : null;
  }

  private Map<Long, Map<String, Long>> pageWindows() {
    List<?> rows = (List<?>) browser.js("return Array.from(document.querySelectorAll('#windows tbody tr'))"
        + ".map(tr => { const o = {start: tr.dataset.windowStart};"
        + " tr.querySelectorAll('td').forEach(td => o[td.dataset.field] = td.textContent); return o; });");
    Map<Long, Map<String, Long>> windows = new HashMap<>();
    for (Object row : rows) {
      Map<?, ?> cells = (Map<?, ?>) row;
      Map<String, Long> figures = new HashMap<>();
      // What a person reads: "1,234" is 1234 and "$56.78" is 5678 cents.
      FIELDS.forEach(f -> figures.put(f, digits((String) cells.get(f))));
      windows.put(Long.parseLong((String) cells.get("start")), figures);
    }
    return windows;
  }

  private void screenshots() throws Exception {
    Path dir = Path.of("target", "dashboard");
    Files.createDirectories(dir);
    Path desktop = shoot(dir.resolve("desktop-light.png"));
    String light = (String) browser.js("return getComputedStyle(document.body).backgroundColor");
    browser.colorScheme("dark");
    Await.sleep(1200);
    shoot(dir.resolve("desktop-dark.png"));
    String dark = (String) browser.js("return getComputedStyle(document.body).backgroundColor");
    assertNotEquals(light, dark, "the page follows prefers-color-scheme");
    browser.colorScheme("light");
    browser.driver().manage().window().setSize(new Dimension(390, 844));
    Await.sleep(1200);
    shoot(dir.resolve("phone.png"));
    Object overflow = browser.js("return document.documentElement.scrollWidth > window.innerWidth + 1");
    assertEquals(Boolean.FALSE, overflow, "no sideways scrolling on a phone-sized screen");
    browser.driver().manage().window().setSize(new Dimension(1400, 1150));
    String docs = System.getProperty("dashboard.screenshot");
    if (docs != null) {
      Files.copy(desktop, Path.of(docs), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Path shoot(Path file) throws Exception {
    byte[] png = ((TakesScreenshot) browser.driver()).getScreenshotAs(OutputType.BYTES);
    Files.write(file, png);
    return file;
  }

  @Test
  @Order(2)
  void eventValuesAreShownAsTextAndNeverRunAsScript() {
    browser.driver().get(base);
    awaitState("live");
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    ClickstreamCodec codec = new ClickstreamCodec();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 1500; i++) {
      String user = "user_xss_" + (i % 100);
      ClickstreamEvent event = new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PAGE_VIEW, now + i / 3,
          user, UUID.nameUUIDFromBytes(user.getBytes()).toString(), XSS_PRODUCT, XSS_CATEGORY, 1999L, null,
          XSS_PRODUCT, "/p/" + i, null, "Mozilla/5.0 (X11; Linux x86_64)", "192.0.2.1", "US",
          "<svg onload=window.__xss=3>");
      records.add(new ProducerRecord<>(config.clickstreamTopic(), user, codec.encode(event)));
    }
    TestData.send(infra.bootstrapServers, config.clickstreamTopic(), records, null);

    Await.until(Duration.ofSeconds(60), "the hostile product id listed as a top product",
        () -> texts("#top-products li .name"), names -> names.contains(XSS_PRODUCT));
    Await.until(Duration.ofSeconds(30), "the hostile category listed as a top category",
        () -> texts("#top-categories li .name"), names -> names.contains(XSS_CATEGORY));
    Await.sleep(1500);
    assertEquals(Boolean.TRUE, browser.js("return typeof window.__xss === 'undefined'"), "no injected script ran");
    assertEquals(0L, browser.js("return document.querySelectorAll('main img, main script, main svg').length"),
        "no element was made from event values");
    boolean visible = browser.driver().findElements(By.cssSelector("#top-products li .name"))
        .stream().anyMatch(e -> e.isDisplayed() && e.getText().equals(XSS_PRODUCT));
    assertTrue(visible, "the literal text is visible to a person");
  }

  @Test
  @Order(3)
  void theBridgeRefusesEveryMessageFromThePage() {
    browser.driver().get(base);
    awaitState("live");
    AtomicInteger received = new AtomicInteger();
    MessageConsumer<Object> probe = app.vertx().eventBus().consumer("pipeline.probe", m -> received.incrementAndGet());
    try {
      Object result = browser.driver().executeAsyncScript(
          "const args = arguments, done = args[args.length - 1];"
              + "const eb = new EventBus(new URL('eventbus', location.href).href);"
              + "const errors = [];"
              + "const finish = () => { try { eb.close(); } catch (e) {} done(errors); };"
              + "eb.onerror = (e) => { errors.push(e.body || e.failureType || String(e)); if (errors.length === 4) finish(); };"
              + "eb.onopen = () => {"
              + "  eb.send('pipeline.probe', {evil: true}, () => errors.push('replied'));"
              + "  eb.send(args[0], {evil: true});"
              + "  eb.publish(args[1], {generated_at: 0});"
              + "  eb.registerHandler(args[2], () => {});"
              + "};"
              + "setTimeout(finish, 10000);",
          Addresses.laneIngest(0), Addresses.DASHBOARD_STATS, Addresses.OUTBOX_READY);
      assertEquals(List.of("access_denied", "access_denied", "access_denied", "access_denied"), result,
          "send, send, publish into the pipeline and listening to an internal address are all refused");
      Await.sleep(500);
      assertEquals(0, received.get(), "nothing reached the server's event bus");
    } finally {
      probe.unregister();
    }
  }

  @Test
  @Order(4)
  void apiStatsAndHealthAnswerAsDocumentedAndHealthNamesPostgresWhenItIsDown() {
    Http.Response stats = Http.get(base + "api/stats");
    assertEquals(200, stats.status());
    assertTrue(stats.contentType().startsWith("application/json"), stats.contentType());
    JsonObject json = new JsonObject(stats.body());
    assertEquals(Set.of("generated_at", "window_seconds", "totals", "rates", "unique_users", "funnel", "latest",
        "series", "top", "lag"), json.fieldNames());
    assertEquals(2.0, json.getJsonObject("window_seconds").getDouble("events_per_minute"));
    JsonObject totals = json.getJsonObject("totals");
    assertTrue(totals.getLong("events_stored") > 0 && totals.getLong("dead_letters") >= 0, totals.encode());
    assertTrue(totals.getJsonObject("last_hour").getLong("events") > 0, totals.encode());
    JsonObject latest = json.getJsonObject("latest").getJsonObject("events_per_minute");
    assertNotNull(latest);
    assertEquals("events_per_minute", latest.getString("window_type"));
    assertEquals(WINDOW_MS, latest.getLong("window_end") - latest.getLong("window_start"));
    JsonArray series = json.getJsonObject("series").getJsonArray("events_per_minute");
    assertTrue(series.size() >= 5, "series of the last hour");
    long seriesEvents = series.stream().mapToLong(w -> ((JsonObject) w).getLong("event_count")).sum();
    assertEquals(seriesEvents, totals.getJsonObject("last_hour").getLong("events"),
        "events of the last hour are the events_per_minute windows only, never another window type added");
    assertTrue(json.getJsonObject("rates").getDouble("events_processed_per_second") > 0, json.getJsonObject("rates")
        .encode());
    assertEquals(Topics.EVENT_PARTITIONS, json.getJsonObject("lag").getJsonObject("partitions").size());
    assertEquals(config.consumerGroup(), json.getJsonObject("lag").getString("group"));
    assertFalse(json.getJsonObject("top").getJsonArray("products").isEmpty());

    Http.Response healthy = Http.get(base + "health");
    assertEquals(200, healthy.status());
    assertEquals(new JsonObject("{\"status\":\"UP\",\"checks\":{\"kafka\":\"UP\",\"postgres\":\"UP\"}}"),
        new JsonObject(healthy.body()));

    infra.cutOff(database);
    try {
      Http.Response down = Await.until(Duration.ofSeconds(20), "/health answering 503",
          () -> Http.get(base + "health"), r -> r.status() == 503);
      JsonObject body = new JsonObject(down.body());
      assertEquals("DOWN", body.getString("status"));
      assertEquals("UP", body.getJsonObject("checks").getString("kafka"));
      assertTrue(body.getJsonObject("checks").getString("postgres").startsWith("DOWN: "), body.encode());
      assertEquals(200, Http.get(base + "api/stats").status(), "stats still served from what is known");
    } finally {
      infra.reconnect(database);
    }
    Await.until(Duration.ofSeconds(20), "/health back to 200", () -> Http.get(base + "health").status(),
        s -> s == 200);
  }

  @Test
  @Order(5)
  void thePageReconnectsByItselfWhenItsServerRestarts() {
    Map<String, String> dashboardOnly = new HashMap<>(settings);
    dashboardOnly.put("ROLES", "dashboard");
    dashboardOnly.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    dashboardOnly.put("METRICS_PORT", String.valueOf(Ports.free()));
    PipelineConfig separate = ConfigLoader.fromMap(dashboardOnly);
    Application server = new Application(separate).start();
    try {
      browser.driver().get("http://127.0.0.1:" + separate.dashboardPort() + "/");
      awaitState("live");
      browser.js("window.__sameDocument = 'yes'");
      Await.until(Duration.ofSeconds(30), "figures from the separate dashboard process",
          () -> browser.js("return document.getElementById('events-chart').dataset.points"),
          p -> Long.parseLong((String) p) > 0);

      server.stop();
      awaitState(s -> !s.equals("live"), "the indicator to leave live once the server is gone");
      Await.sleep(2000);
      String before = text("#updated");
      server = new Application(separate).start();

      awaitState("live");
      Await.until(Duration.ofSeconds(20), "new figures after the restart", () -> text("#updated"),
          t -> !t.equals(before));
      assertEquals("yes", browser.js("return window.__sameDocument"), "no reload happened");
      assertTrue(Long.parseLong((String) browser.js("return document.getElementById('events-chart').dataset.points"))
          > 0);
    } finally {
      server.stop();
    }
  }

  private void awaitState(String state) {
    awaitState(s -> s.equals(state), "connection indicator " + state);
  }

  private void awaitState(Predicate<String> wanted, String what) {
    Await.until(Duration.ofSeconds(45), what,
        () -> (String) browser.js("return document.getElementById('connection').dataset.state"), wanted);
  }

  private String text(String css) {
    return (String) browser.js("const n = document.querySelector(arguments[0]); return n ? n.textContent : null;",
        css);
  }

  private long count(String css) {
    return (Long) browser.js("return document.querySelectorAll(arguments[0]).length", css);
  }

  @SuppressWarnings("unchecked")
  private List<String> texts(String css) {
    return (List<String>) browser.js(
        "return Array.from(document.querySelectorAll(arguments[0])).map(n => n.textContent)", css);
  }

  private static long digits(String text) {
    String d = text == null ? "" : text.replaceAll("[^0-9]", "");
    return d.isEmpty() ? -1 : Long.parseLong(d);
  }
}
