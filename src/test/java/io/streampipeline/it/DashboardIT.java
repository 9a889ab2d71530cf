package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Chromium;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.Http;
import io.streampipeline.it.support.RequiredTool;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.bus.Addresses;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
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
import org.junit.jupiter.api.io.TempDir;
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
    base = "http://127.0.0.1:" + config.dashboard().port() + "/";
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
    for (String id : List.of("throughput", "users", "stored", "revenue-period", "events-period", "latest-events",
        "dlq", "lag")) {
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
    List<?> rows = (List<?>) browser.js("return Array.from(document.querySelectorAll('#closed-windows tr'))"
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
      records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), user, codec.encode(event)));
    }
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), records, null);

    Await.until(Duration.ofSeconds(60), "the hostile product id listed as a top product",
        () -> texts("#top-products li .name"), names -> names.contains(XSS_PRODUCT));
    Await.until(Duration.ofSeconds(30), "the hostile category listed as a top category",
        () -> texts("#top-categories li .name"), names -> names.contains(XSS_CATEGORY));
    Await.sleep(1500);
    assertEquals(Boolean.TRUE, browser.js("return typeof window.__xss === 'undefined'"), "no injected script ran");
    assertEquals(0L, browser.js("return document.querySelectorAll('main img, main script, main svg').length"),
        "no element was made from event values");
    // Asked in one script: the live list re-renders, so an element found by one call can be gone by the next.
    Object visible = browser.js("return Array.from(document.querySelectorAll('#top-products li .name'))"
        + ".some(n => n.getClientRects().length > 0 && getComputedStyle(n).visibility === 'visible' "
        + "&& n.innerText === arguments[0])", XSS_PRODUCT);
    assertEquals(Boolean.TRUE, visible, "the literal text is visible to a person");
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
        "series", "top", "open_window", "pipeline", "lag"), json.fieldNames());
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
    assertEquals(config.kafka().consumerGroup(), json.getJsonObject("lag").getString("group"));
    assertFalse(json.getJsonObject("top").getJsonArray("products").isEmpty());

    JsonObject withReasons = Await.until(Duration.ofSeconds(20), "dead-letter reasons in /api/stats",
        () -> new JsonObject(Http.get(base + "api/stats").body()).getJsonObject("pipeline"),
        p -> p.getJsonArray("dead_letter_reasons") != null && !p.getJsonArray("dead_letter_reasons").isEmpty());
    String reason = withReasons.getJsonArray("dead_letter_reasons").getJsonObject(0).getString("reason");
    Http.Response dlq = Http.get(base + "api/dlq?size=3&reason="
        + java.net.URLEncoder.encode(reason, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(200, dlq.status(), dlq.body());
    assertTrue(dlq.contentType().startsWith("application/json"));
    JsonObject dlqPage = new JsonObject(dlq.body());
    assertTrue(dlqPage.getLong("total") > 0 && !dlqPage.getJsonArray("rows").isEmpty()
        && dlqPage.getJsonArray("rows").size() <= 3, dlq.body());
    dlqPage.getJsonArray("rows").forEach(r -> assertEquals(reason, ((JsonObject) r).getString("error_reason")));
    assertEquals(400, Http.get(base + "api/dlq").status(), "a reason is required");
    assertEquals(400, Http.get(base + "api/dlq?reason=x&size=100000").status(), "pages are bounded");
    assertEquals(400, Http.get(base + "api/windows?range=7d").status());
    JsonObject stored = new JsonObject(Http.get(base + "api/windows?range=15m").body());
    assertEquals(900_000L, stored.getLong("to") - stored.getLong("from"));
    assertFalse(stored.getJsonObject("series").getJsonArray("events_per_minute").isEmpty());

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
  void tilesCoverStatedWindowsAndAgreeWithTheTable() {
    browser.driver().get(base);
    awaitState("live");
    Await.until(Duration.ofSeconds(30), "some closed windows", () -> count("#closed-windows tr"), n -> n >= 3);
    // One snapshot of the page, read in one script so nothing moves between the reads.
    Map<?, ?> page = (Map<?, ?>) browser.js("const rows = Array.from(document.querySelectorAll('#closed-windows tr'));"
        + "const sum = (f) => rows.map(r => Number(r.querySelector(`[data-field=${f}]`).textContent.replace(/[^0-9]/g, '')))"
        + "  .reduce((a, b) => a + b, 0);"
        + "const first = rows[0];"
        + "return {events: sum('event_count'), revenue: sum('total_revenue_cents'), purchases: sum('purchases'),"
        + "  eventsTile: document.getElementById('events-period').textContent,"
        + "  revenueTile: document.getElementById('revenue-period').title,"
        + "  purchasesTile: document.getElementById('purchases-period').textContent,"
        + "  latestEvents: document.getElementById('latest-events').textContent,"
        + "  firstRowEvents: first.querySelector('[data-field=event_count]').textContent,"
        + "  latestUsers: document.getElementById('users').textContent,"
        + "  firstRowUsers: first.querySelector('[data-field=unique_users]').textContent,"
        + "  latestWindow: document.getElementById('latest-window').textContent,"
        + "  eventsLabel: document.getElementById('events-period-label').textContent};");
    assertEquals(page.get("events"), digits((String) page.get("eventsTile")), "events tile = sum of the table");
    assertEquals(page.get("revenue"), digits((String) page.get("revenueTile")), "revenue tile = sum of the table");
    assertEquals(page.get("purchases"), digits((String) page.get("purchasesTile")));
    assertEquals(page.get("firstRowEvents"), page.get("latestEvents"), "latest window tile = the table's top row");
    assertEquals(page.get("firstRowUsers"), page.get("latestUsers"));
    assertTrue(((String) page.get("latestWindow")).matches(".*\\d\\d:\\d\\d.*"), "the tile names its window: " + page);
    assertTrue(((String) page.get("eventsLabel")).contains("–"), "the tile names its period: " + page);
    Map<?, ?> csv = (Map<?, ?>) browser.js("const a = document.getElementById('csv'); a.onclick();"
        + "return {href: a.href, name: a.download, rows: a.dataset.rows,"
        + " table: String(document.querySelectorAll('#closed-windows tr').length)};");
    assertTrue(((String) csv.get("href")).startsWith("blob:"), csv.toString());
    assertEquals("windows-1h.csv", csv.get("name"));
    assertEquals(csv.get("table"), csv.get("rows"), "the CSV holds the visible windows");
    Await.until(Duration.ofSeconds(30), "dead-letter reasons linked to their rows",
        () -> browser.js("return Array.from(document.querySelectorAll('#dlq-reasons a')).map(a => a.getAttribute('href'))"),
        v -> !((List<?>) v).isEmpty() && ((List<?>) v).stream().allMatch(h -> ((String) h).startsWith("api/dlq?reason=")));
    Await.until(Duration.ofSeconds(30), "lanes and every partition in the health panel",
        () -> List.of(text("#lanes"), count("#partitions tbody tr")),
        l -> "1 lane".equals(l.get(0)) && ((Long) l.get(1)) == Topics.EVENT_PARTITIONS);
    assertTrue(text("#lane-list li").startsWith("lane 0: "), "lanes numbered from 0, as the log numbers them");
    assertEquals("0", text("#partitions tbody td[data-field='lane']"));
    Await.until(Duration.ofSeconds(30), "the open window shown as provisional",
        () -> text("#open-window-row tr[data-provisional='true'] td[data-field='window']"),
        t -> t != null && t.contains("provisional"));
  }

  @Test
  @Order(9)
  void aFreshPageAfterARestartShowsThePastHourFromPostgres() {
    // A dashboard that starts now, on the same database but with nothing to read on its Kafka feed: everything
    // it shows of the past must come from PostgreSQL.
    Map<String, String> restarted = new HashMap<>(settings);
    restarted.put("ROLES", "dashboard");
    restarted.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    restarted.put("EVENTBUS_TCP_PORT", String.valueOf(Ports.free()));
    restarted.put("METRICS_PORT", String.valueOf(Ports.free()));
    restarted.put("KAFKA_AGGREGATED_TOPIC", "dashboard-restart-" + UUID.randomUUID() + ".aggregated");
    PipelineConfig restartedConfig = ConfigLoader.fromMap(restarted);
    Topics.ensure(infra.bootstrapServers, restartedConfig);
    Application server = new Application(restartedConfig).start();
    try {
      browser.driver().get("http://127.0.0.1:" + restartedConfig.dashboard().port() + "/");
      Await.until(Duration.ofSeconds(30), "the stored windows on the page", () -> count("#closed-windows tr"),
          n -> n >= 10);
      long from = Long.parseLong((String) browser.js("return document.getElementById('windows').dataset.from"));
      long to = Long.parseLong((String) browser.js("return document.getElementById('windows').dataset.to"));
      assertEquals(3_600_000L, to - from, "the last hour by default");
      assertTrue(Math.abs(to - System.currentTimeMillis()) < 600_000, "the period ends about now: " + to);
      Map<Long, Map<String, Long>> page = pageWindows();
      Map<Long, Map<String, Long>> stored = new HashMap<>();
      for (Map<String, Object> row : db.rows("SELECT * FROM aggregated_metrics_global WHERE window_type = "
          + "'events_per_minute' AND window_end > " + from + " AND window_start < " + to)) {
        Map<String, Long> figures = new HashMap<>();
        FIELDS.forEach(f -> figures.put(f, ((Number) row.get(f)).longValue()));
        stored.put(((Number) row.get("window_start")).longValue(), figures);
      }
      // Windows near the newest may have gained partitions since the page read them; the rest must be equal.
      long settled = to - 10_000;
      Map<Long, Map<String, Long>> pageSettled = new HashMap<>(page);
      pageSettled.keySet().removeIf(start -> start + WINDOW_MS > settled);
      stored.keySet().removeIf(start -> start + WINDOW_MS > settled);
      assertTrue(stored.size() >= 5, "enough history to compare: " + stored.size());
      assertEquals(stored, pageSettled, "the past hour on the page equals aggregated_metrics_global");
      assertEquals(String.valueOf(page.size()), browser.js("return document.getElementById('events-chart')"
          + ".dataset.points"), "the chart shows the same windows");
      assertEquals(String.valueOf(from), browser.js("return document.getElementById('events-chart').dataset.from"),
          "the x axis spans the period shown, in epoch time");

      browser.driver().findElement(org.openqa.selenium.By.cssSelector(".range button[data-range='15m']")).click();
      Await.until(Duration.ofSeconds(10), "the 15 min range", () -> browser.js(
          "const d = document.getElementById('events-chart').dataset; return Number(d.to) - Number(d.from);"),
          span -> ((Number) span).longValue() == 900_000L);
      assertEquals("#range=15m", browser.js("return location.hash"), "the period is in the address");
      browser.driver().navigate().refresh();
      Await.until(Duration.ofSeconds(20), "the 15 min range again after a reload", () -> browser.js(
          "const d = document.getElementById('events-chart').dataset; return Number(d.to) - Number(d.from);"),
          span -> ((Number) span).longValue() == 900_000L);
      Await.until(Duration.ofSeconds(20), "exact top products for the period", () -> texts("#top-products li .name"),
          names -> !names.isEmpty());
    } finally {
      server.stop();
    }
  }

  @Test
  @Order(10)
  void aPageWithNoWindowsYetSaysItIsWaitingAndDrawsNoAxis() throws Exception {
    String empty = infra.createDatabase();
    Map<String, String> fresh = infra.pipelineConfig(empty, "dashboard-waiting");
    fresh.put("ROLES", "dashboard");
    PipelineConfig freshConfig = ConfigLoader.fromMap(fresh);
    Topics.ensure(infra.bootstrapServers, freshConfig);
    Application server = new Application(freshConfig).start();
    try {
      browser.driver().get("http://127.0.0.1:" + freshConfig.dashboard().port() + "/");
      awaitState("live");
      Await.until(Duration.ofSeconds(20), "the waiting sentence", () -> text("#period"),
          t -> t != null && t.startsWith("No closed window yet"));
      for (String chart : List.of("events", "revenue")) {
        assertEquals(Boolean.TRUE, browser.js("const n = document.getElementById(arguments[0] + '-waiting');"
            + "return !n.hidden && n.offsetHeight > 0", chart), chart + ": waiting message shown");
        assertEquals(Boolean.TRUE, browser.js("const n = document.getElementById(arguments[0] + '-chart');"
            + "return n.hidden && n.offsetHeight === 0", chart), chart + ": no chart, so no axis");
        assertEquals("0", browser.js("return document.getElementById(arguments[0] + '-chart').dataset.points", chart));
      }
      assertEquals("–", text("#revenue-period"), "no $0 for a period that has no window");
      assertEquals(0L, count("#closed-windows tr"));
      Path dir = Path.of("target", "dashboard");
      Files.createDirectories(dir);
      Path waiting = shoot(dir.resolve("waiting.png"));
      String docs = System.getProperty("dashboard.waiting.screenshot");
      if (docs != null) {
        Files.copy(waiting, Path.of(docs), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      server.stop();
    }
  }

  @Test
  @Order(11)
  void thePageReconnectsByItselfWhenItsServerRestarts() {
    Map<String, String> dashboardOnly = new HashMap<>(settings);
    dashboardOnly.put("ROLES", "dashboard");
    dashboardOnly.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    dashboardOnly.put("METRICS_PORT", String.valueOf(Ports.free()));
    dashboardOnly.put("EVENTBUS_TCP_PORT", String.valueOf(Ports.free()));
    PipelineConfig separate = ConfigLoader.fromMap(dashboardOnly);
    Application server = new Application(separate).start();
    try {
      browser.driver().get("http://127.0.0.1:" + separate.dashboard().port() + "/");
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

  @Test
  @Order(6)
  void withATokenEveryRouteButHealthAnswers401TheBridgeIsRefusedAndTheLoginOpensIt() {
    String token = "dashboard-it-token-" + UUID.randomUUID();
    Map<String, String> guarded = new HashMap<>(settings);
    guarded.put("ROLES", "dashboard");
    guarded.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    guarded.put("EVENTBUS_TCP_PORT", String.valueOf(Ports.free()));
    guarded.put("METRICS_PORT", String.valueOf(Ports.free()));
    guarded.put("DASHBOARD_AUTH_TOKEN", token);
    guarded.put("DASHBOARD_ALLOWED_ORIGINS", "https://ops.example.com");
    PipelineConfig guardedConfig = ConfigLoader.fromMap(guarded);
    Application server = new Application(guardedConfig).start();
    try {
      String url = "http://127.0.0.1:" + guardedConfig.dashboard().port() + "/";
      for (String path : List.of("", "api/stats", "eventbus/info", "index.html", "app.js")) {
        assertEquals(401, Http.get(url + path).status(), "/" + path + " without the token");
        assertEquals(401, Http.send("GET", url + path, Map.of("Authorization", "Bearer wrong-" + token)).status(),
            "/" + path + " with a wrong token");
      }
      assertEquals(401, Http.send("POST", url + "eventbus/000/abcdefgh/xhr", Map.of()).status(),
          "a SockJS polling session without the token");
      Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
      assertEquals(200, Http.send("GET", url + "api/stats", bearer).status());
      assertEquals(200, Http.send("GET", url + "eventbus/info", bearer).status());
      assertEquals(200, Http.get(url + "health").status(), "/health stays open for probes");
      Http.Response listed = Http.send("GET", url + "api/stats", Map.of("Authorization", "Bearer " + token,
          "Origin", "https://ops.example.com"));
      assertEquals(200, listed.status());
      assertEquals("https://ops.example.com", listed.header("Access-Control-Allow-Origin"));
      assertEquals(403, Http.send("GET", url + "api/stats", Map.of("Authorization", "Bearer " + token,
          "Origin", "https://other.example.com")).status(), "an origin not listed, even with the token");

      Http.Response wrong = Http.postForm(url + "login", "token=not-" + token);
      assertEquals(401, wrong.status());
      assertTrue(wrong.body().contains("That token is not right."), wrong.body());
      Http.Response right = Http.postForm(url + "login", "token=" + token);
      assertEquals(303, right.status(), right.body());
      String cookie = right.header("Set-Cookie");
      assertTrue(cookie != null && cookie.toLowerCase().contains("httponly")
          && cookie.toLowerCase().contains("samesite=strict") && !cookie.contains(token), cookie);
      assertEquals(200, Http.send("GET", url + "api/stats", Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))))
          .status(), "the session cookie opens the API");

      browser.driver().get(url);
      assertEquals("Clickstream pipeline · sign in", browser.driver().getTitle());
      Object refused = browser.driver().executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "const ws = new WebSocket(location.href.replace(/^http/, 'ws') + 'eventbus/websocket');"
              + "ws.onopen = () => done('opened'); ws.onerror = () => done('refused');"
              + "setTimeout(() => done('no answer'), 10000);");
      assertEquals("refused", refused, "the bridge's WebSocket without the login cookie");

      browser.driver().findElement(org.openqa.selenium.By.id("token")).sendKeys("not-" + token);
      browser.driver().findElement(org.openqa.selenium.By.cssSelector("form button")).click();
      Await.until(Duration.ofSeconds(20), "the wrong token refused", () -> text("#login-message") + " | "
          + browser.driver().getCurrentUrl() + " | " + browser.driver().getTitle(), t -> t.contains("not right"));
      browser.driver().findElement(org.openqa.selenium.By.id("token")).sendKeys(token);
      browser.driver().findElement(org.openqa.selenium.By.cssSelector("form button")).click();
      awaitState("live");
      assertEquals(Boolean.TRUE, browser.js("return document.cookie === ''"), "the session cookie is HttpOnly");
      assertFalse(browser.driver().getPageSource().contains(token), "the token is not in the page");
    } finally {
      browser.driver().manage().deleteAllCookies();
      server.stop();
    }
  }

  @Test
  @Order(7)
  void aPageFromAnotherOriginCanNeitherReadTheApiNorOpenTheBridge() throws Exception {
    io.vertx.core.Vertx other = io.vertx.core.Vertx.vertx();
    try {
      String page = "<!doctype html><html><head><title>elsewhere</title>"
          + "<script src=\"/sockjs.min.js\"></script><script src=\"/vertx-eventbus.js\"></script></head>"
          + "<body>another site</body></html>";
      byte[] sockjs = Files.readAllBytes(Path.of("webroot/vendor/sockjs-client/sockjs.min.js"));
      byte[] eventbus = Files.readAllBytes(Path.of("webroot/vendor/vertx-eventbus/vertx-eventbus.js"));
      io.vertx.core.http.HttpServer site = other.createHttpServer().requestHandler(req -> {
        switch (req.path()) {
          case "/sockjs.min.js" -> req.response().putHeader("Content-Type", "text/javascript")
              .end(io.vertx.core.buffer.Buffer.buffer(sockjs));
          case "/vertx-eventbus.js" -> req.response().putHeader("Content-Type", "text/javascript")
              .end(io.vertx.core.buffer.Buffer.buffer(eventbus));
          default -> req.response().putHeader("Content-Type", "text/html").end(page);
        }
      }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // localhost and 127.0.0.1 are different origins (and sites) for a browser.
      String elsewhere = "http://localhost:" + site.actualPort();
      browser.driver().get(elsewhere + "/");
      Object read = browser.driver().executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "fetch(arguments[0] + 'api/stats', {credentials: 'include'}).then(r => r.text())"
              + ".then(t => done('read ' + t.length), e => done('blocked'));", base);
      assertEquals("blocked", read, "another origin's page reading /api/stats");
      Object bridge = browser.driver().executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "const eb = new EventBus(arguments[0] + 'eventbus');"
              + "eb.onopen = () => { eb.registerHandler(arguments[1], (e, m) => done('received')); "
              + "  setTimeout(() => done('opened'), 3000); };"
              + "eb.onclose = () => done('closed');"
              + "setTimeout(() => done('no answer'), 15000);", base, Addresses.DASHBOARD_STATS);
      assertEquals("closed", bridge, "another origin's page opening the bridge");
      Object socket = browser.driver().executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "const ws = new WebSocket(arguments[0].replace(/^http/, 'ws') + 'eventbus/websocket');"
              + "ws.onopen = () => done('opened'); ws.onerror = () => done('refused');"
              + "setTimeout(() => done('no answer'), 10000);", base);
      assertEquals("refused", socket, "another origin's page opening the bridge's WebSocket directly");

      for (String path : List.of("api/stats", "eventbus/info")) {
        Http.Response answer = Http.send("GET", base + path, Map.of("Origin", elsewhere));
        assertEquals(403, answer.status(), path);
        assertEquals(null, answer.header("Access-Control-Allow-Origin"), path + ": no origin reflected");
      }
      String own = base.substring(0, base.length() - 1);
      assertEquals(200, Http.send("GET", base + "eventbus/info", Map.of("Origin", own)).status(), "own origin");
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(8)
  void madeUpMethodsAndPathsAddNoMetricSeries() throws Exception {
    int dashboardPort = config.dashboard().port();
    int metricsPort = config.metricsPort();
    String metricsUrl = "http://127.0.0.1:" + metricsPort + "/metrics";
    for (int port : List.of(dashboardPort, metricsPort)) {
      raw(port, "BREW", "/coffee");
      raw(port, "GET", "/no-such-page");
      raw(port, "GET", "/eventbus/123/abc/xhr_nope");
      raw(port, "PURGE", "/metrics");
      raw(port, "GET", "/metrics");
    }
    Set<String> before = httpSeries(Http.get(metricsUrl).body());
    for (int i = 0; i < 60; i++) {
      String word = "M" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
      for (int port : List.of(dashboardPort, metricsPort)) {
        raw(port, word, "/" + word.toLowerCase());
        raw(port, "GET", "/x/" + word + "/" + i);
        raw(port, "GET", "/eventbus/" + i + "/" + word + "/xhr_nope");
      }
    }
    String after = Http.get(metricsUrl).body();
    assertEquals(before, httpSeries(after), "the same HTTP server series before and after the flood");
    assertFalse(after.toLowerCase().contains("/x/m"), "no path typed by a client in a label");
    assertTrue(after.contains("method=\"OTHER\""), "made-up methods are counted as OTHER");
  }

  @Test
  @Order(12)
  void withACertificateTheDashboardSpeaksHttpsAndItsCookieIsSecure(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    String openssl = Files.isExecutable(Path.of("/usr/bin/openssl")) ? "/usr/bin/openssl"
        : RequiredTool.missing("openssl not found: install the Debian package openssl");
    Process made = new ProcessBuilder(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    String output = new String(made.getInputStream().readAllBytes());
    assertEquals(0, made.waitFor(), output);

    String token = "tls-token-" + UUID.randomUUID();
    Map<String, String> secure = new HashMap<>(settings);
    secure.put("ROLES", "dashboard");
    secure.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    secure.put("EVENTBUS_TCP_PORT", String.valueOf(Ports.free()));
    secure.put("METRICS_PORT", String.valueOf(Ports.free()));
    secure.put("DASHBOARD_AUTH_TOKEN", token);
    secure.put("DASHBOARD_TLS_CERT", cert.toString());
    secure.put("DASHBOARD_TLS_KEY", key.toString());
    PipelineConfig secureConfig = ConfigLoader.fromMap(secure);
    Application server = new Application(secureConfig).start();
    try {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (var in = Files.newInputStream(cert)) {
        trust.setCertificateEntry("dashboard", java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(in));
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(ssl)
          .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      String url = "https://127.0.0.1:" + secureConfig.dashboard().port() + "/";
      java.net.http.HttpResponse<String> stats = client.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(url + "api/stats")).timeout(Duration.ofSeconds(15))
          .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, stats.statusCode());
      assertTrue(stats.headers().firstValue("Strict-Transport-Security").isPresent());
      java.net.http.HttpResponse<String> login = client.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(url + "login")).timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + token)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode());
      assertTrue(login.headers().firstValue("Set-Cookie").orElse("").toLowerCase().contains("secure"),
          "the session cookie only travels over HTTPS");
      assertThrows(IllegalStateException.class, () -> Http.get("http://127.0.0.1:" + secureConfig.dashboard().port()
          + "/health"), "no plain HTTP");
    } finally {
      server.stop();
    }
  }

  /** The label sets of the HTTP server series (values left out: counts move). */
  private static Set<String> httpSeries(String prometheusText) {
    return prometheusText.lines().filter(l -> l.startsWith("vertx_http_server"))
        .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /** One request as a client may send it, whatever the method; returns the status line. */
  private static String raw(int port, String method, String path) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
          socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
      String status = reader.readLine();
      while (reader.read() >= 0) {
        // drain until the server closes, so the request is complete (and measured) before the next
      }
      return status;
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
