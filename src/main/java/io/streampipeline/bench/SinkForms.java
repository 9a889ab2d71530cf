package io.streampipeline.bench;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.sink.EventColumns;
import io.streampipeline.sink.SinkSql;
import io.streampipeline.sink.WindowColumns;
import io.streampipeline.window.PartitionWindows;
import io.streampipeline.window.WindowSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.postgresql.PGConnection;

/**
 * {@code --sink-forms}: how fast each way of writing clickstream_events goes, with the same generated rows into a
 * fresh (truncated) clickstream_events of a database of its own, autocommit, statements of a fixed number of rows:
 *
 * <ul>
 *   <li>{@code values}: one multi-row {@code INSERT … VALUES ($1, …), (…)} with 19 parameters per row
 *       (vertx-pg-client, prepared and cached), the alternative the sink does not use;</li>
 *   <li>{@code unnest}: the sink's own statement ({@link SinkSql#INSERT_EVENTS}) with the sink's own column
 *       arrays ({@link EventColumns#of});</li>
 *   <li>{@code copy}: plain COPY FROM STDIN in text format (pgjdbc), one COPY per connection, for the
 *       ceiling;</li>
 *   <li>{@code windows}: the window rows those events make, inserted with their queue entries as the sink does
 *       ({@link SinkSql#INSERT_WINDOWS} with {@link WindowColumns#of}).</li>
 * </ul>
 *
 * With two connections, two statements are in flight at once, each connection on its own event loop. Blocking:
 * runs on the bench's main thread.
 */
final class SinkForms {
  private static final int COLUMN_COUNT = 19;
  private static final int WARM_UP_STATEMENTS = 10;
  private static final int WINDOW_ROWS_PER_STATEMENT = 100;

  record Measurement(String form, int rowsPerStatement, int connections, long rows, double seconds) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  private SinkForms() {
  }

  /** Generates the rows, measures every form, prints a table and writes sink-forms.json; the exit code. */
  static int measure(PipelineConfig config, BenchOptions options) throws Exception {
    int n = options.sinkFormRows();
    List<EnrichedEvent> rows = validRows(config, n);
    List<WindowResult> windows = windowsOf(rows, WindowSettings.from(config));
    try (BenchInfra infra = BenchInfra.start(config, options)) {
      String database = infra.createDatabase("bench_forms_" + BenchRunner.stamp());
      infra.migrate(database);
      PgConnectOptions pg = infra.endpoints.withDatabase(database).pgConnectOptions();
      Vertx vertx = Vertx.vertx();
      List<Measurement> measured;
      try {
        measured = run(vertx, pg, () -> infra.connect(database), rows, windows);
      } finally {
        vertx.close().await();
      }
      JsonArray out = new JsonArray();
      StringBuilder table = new StringBuilder("\nstream-pipeline bench --sink-forms: " + n
          + " rows into a fresh clickstream_events (the sink's own indexes), autocommit per statement\n");
      table.append(String.format("  %-8s %14s %12s %14s%n", "form", "rows/statement", "connections", "rows/s"));
      for (Measurement m : measured) {
        out.add(new JsonObject().put("form", m.form()).put("rows_per_statement", m.rowsPerStatement())
            .put("connections", m.connections()).put("rows", m.rows()).put("seconds", BenchReport.round3(m.seconds()))
            .put("rows_per_second", Math.round(m.rowsPerSecond())));
        table.append(String.format("  %-8s %14s %12d %,14d%n", m.form(),
            m.form().equals("copy") ? "all" : String.valueOf(m.rowsPerStatement()), m.connections(),
            Math.round(m.rowsPerSecond())));
      }
      JsonObject json = new JsonObject().put("rows", n).put("cores", Runtime.getRuntime().availableProcessors())
          .put("postgres_settings", new JsonObject().put("synchronous_commit", infra.setting("synchronous_commit"))
              .put("fsync", infra.setting("fsync")))
          .put("forms", out).put("finished_at", Instant.now().toString());
      Path file = options.outDir().resolve("sink-forms.json");
      Files.writeString(file, json.encodePrettily() + "\n");
      table.append("  result: ").append(file.toAbsolutePath().normalize());
      System.out.println(table);
      infra.removeDataOnClose();
      return 0;
    }
  }

  /** n valid events of the bench's generator, through the pipeline's own rules, all of partition 0. */
  private static List<EnrichedEvent> validRows(PipelineConfig config, int n) {
    long seed = config.generator().seed() != null ? config.generator().seed() : Preload.DEFAULT_SEED;
    List<EnrichedEvent> rows = new ArrayList<>(n);
    EventFactory factory = new EventFactory(seed, config.generator().numUsers(), config.generator().numProducts(),
        config.windows().sessionTimeoutMs(), 0);
    for (long i = 0; rows.size() < n; i++) {
      GeneratedMessage m = factory.next(Preload.EVENT_TIME_START + i * 7);
      if (m.kind() == GeneratedMessage.Kind.VALID) {
        rows.add(EventRules.enrich(EventRules.normalize(m.event()), 0, i));
      }
    }
    return rows;
  }

  /** Every window and session the rows make, closed. */
  private static List<WindowResult> windowsOf(List<EnrichedEvent> rows, WindowSettings settings) {
    PartitionWindows windows = new PartitionWindows(0, settings);
    rows.forEach(windows::add);
    windows.advanceEventTime(Long.MAX_VALUE);
    return windows.closeReady(System.currentTimeMillis());
  }

  static List<Measurement> run(Vertx vertx, PgConnectOptions options, CopyCeiling.Connector jdbc,
      List<EnrichedEvent> rows, List<WindowResult> windows) throws Exception {
    List<Measurement> out = new ArrayList<>();
    for (int connections = 1; connections <= 2; connections++) {
      out.add(statements(vertx, options, jdbc, "clickstream_events", rows, "values", 500, connections,
          SinkForms::valuesSql, SinkForms::valuesTuple));
      out.add(statements(vertx, options, jdbc, "clickstream_events", rows, "unnest", 500, connections,
          size -> SinkSql.INSERT_EVENTS, EventColumns::of));
      out.add(statements(vertx, options, jdbc, "clickstream_events", rows, "unnest", 2000, connections,
          size -> SinkSql.INSERT_EVENTS, EventColumns::of));
      out.add(copy(jdbc, rows, connections));
    }
    out.add(windowRows(vertx, options, jdbc, windows));
    return out;
  }

  /**
   * Sends {@code rows} in statements of {@code perStatement} rows over {@code connections} connections: the SQL of
   * a statement of n rows and its parameters come from {@code sql} and {@code parameters}.
   */
  private static <T> Measurement statements(Vertx vertx, PgConnectOptions options, CopyCeiling.Connector jdbc,
      String table, List<T> rows, String form, int perStatement, int connections, Function<Integer, String> sql,
      Function<List<T>, Tuple> parameters) {
    List<String> statements = new ArrayList<>();
    List<Tuple> tuples = new ArrayList<>();
    Map<Integer, String> sqlBySize = new HashMap<>();
    for (int i = 0; i < rows.size(); i += perStatement) {
      List<T> batch = rows.subList(i, Math.min(rows.size(), i + perStatement));
      statements.add(sqlBySize.computeIfAbsent(batch.size(), sql));
      tuples.add(parameters.apply(batch));
    }
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(connections).setEventLoopSize(connections).setName("bench-" + form))
        .connectingTo(options).using(vertx).build();
    try {
      // A few statements first, then a fresh table: connections open, statements prepared, code compiled.
      truncate(jdbc, table);
      drive(pool, statements, tuples, Math.min(WARM_UP_STATEMENTS, statements.size()), connections).await();
      truncate(jdbc, table);
      long started = System.nanoTime();
      drive(pool, statements, tuples, statements.size(), connections).await();
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Measurement(form, perStatement, connections, rows.size(), seconds);
    } finally {
      pool.close().await();
      truncate(jdbc, table);
    }
  }

  /** The sink inserts a checkpoint's closed windows with one statement of column arrays. */
  private static Measurement windowRows(Vertx vertx, PgConnectOptions options, CopyCeiling.Connector jdbc,
      List<WindowResult> windows) {
    List<Tuple> batches = new ArrayList<>();
    for (int i = 0; i < windows.size(); i += WINDOW_ROWS_PER_STATEMENT) {
      batches.add(WindowColumns.of(windows.subList(i, Math.min(windows.size(), i + WINDOW_ROWS_PER_STATEMENT))));
    }
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("bench-windows"))
        .connectingTo(options).using(vertx).build();
    try {
      truncate(jdbc, "aggregated_metrics, aggregated_outbox");
      long started = System.nanoTime();
      Future<Void> all = Future.succeededFuture();
      for (Tuple batch : batches) {
        all = all.compose(v -> pool.preparedQuery(SinkSql.INSERT_WINDOWS).execute(batch).mapEmpty());
      }
      all.await();
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Measurement("windows", WINDOW_ROWS_PER_STATEMENT, 1, windows.size(), seconds);
    } finally {
      pool.close().await();
      truncate(jdbc, "aggregated_metrics, aggregated_outbox");
    }
  }

  /** {@code connections} chains, each sending the next unsent statement when its previous one is done. */
  private static Future<Void> drive(Pool pool, List<String> statements, List<Tuple> tuples, int count,
      int connections) {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> chains = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      chains.add(chain(pool, statements, tuples, count, next));
    }
    return Future.all(chains).mapEmpty();
  }

  private static Future<Void> chain(Pool pool, List<String> statements, List<Tuple> tuples, int count,
      AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= count) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(statements.get(i)).execute(tuples.get(i))
        .compose(done -> chain(pool, statements, tuples, count, next));
  }

  static String valuesSql(int rows) {
    StringBuilder sql = new StringBuilder("INSERT INTO clickstream_events (" + CopyCeiling.COLUMNS + ") VALUES ");
    int param = 1;
    for (int r = 0; r < rows; r++) {
      sql.append(r == 0 ? "(" : ", (");
      for (int c = 0; c < COLUMN_COUNT; c++) {
        sql.append(c == 0 ? "$" : ", $").append(param++);
      }
      sql.append(')');
    }
    return sql.toString();
  }

  private static Tuple valuesTuple(List<EnrichedEvent> batch) {
    Tuple t = Tuple.tuple();
    for (EnrichedEvent row : batch) {
      for (Object value : columnValues(row)) {
        t.addValue(value);
      }
    }
    return t;
  }

  /** One row's values in the order of {@link CopyCeiling#COLUMNS}. */
  private static Object[] columnValues(EnrichedEvent row) {
    ClickstreamEvent e = row.event();
    return new Object[] {e.eventId(), e.eventType().wireName(), e.timestamp(), e.userId(), e.sessionId(),
        e.productId(), e.productCategory(), e.priceCents(), e.quantity(), row.revenueCents(), e.searchQuery(),
        e.pageUrl(), e.referrer(), e.userAgent(), e.ipAddress(), e.geoCountry(), e.geoCity(),
        (short) row.eventHour(), row.mobile()};
  }

  private static Measurement copy(CopyCeiling.Connector jdbc, List<EnrichedEvent> rows, int connections)
      throws Exception {
    byte[][] parts = new byte[connections][];
    int per = (rows.size() + connections - 1) / connections;
    for (int c = 0; c < connections; c++) {
      parts[c] = copyText(rows.subList(c * per, Math.min(rows.size(), (c + 1) * per)));
    }
    truncate(jdbc, "clickstream_events");
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    List<Connection> open = new ArrayList<>();
    try {
      for (int c = 0; c < connections; c++) {
        open.add(jdbc.open());
      }
      long started = System.nanoTime();
      List<java.util.concurrent.Future<Long>> loads = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        Connection conn = open.get(c);
        byte[] part = parts[c];
        loads.add(threads.submit(() -> conn.unwrap(PGConnection.class).getCopyAPI()
            .copyIn("COPY clickstream_events (" + CopyCeiling.COLUMNS + ") FROM STDIN",
                new ByteArrayInputStream(part))));
      }
      for (java.util.concurrent.Future<Long> f : loads) {
        f.get();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Measurement("copy", rows.size() / connections, connections, rows.size(), seconds);
    } finally {
      for (Connection c : open) {
        c.close();
      }
      threads.shutdownNow();
      truncate(jdbc, "clickstream_events");
    }
  }

  /** COPY text format: tab separated, \N for null, backslash escapes. */
  private static byte[] copyText(List<EnrichedEvent> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 320);
    StringBuilder line = new StringBuilder(512);
    for (EnrichedEvent row : rows) {
      line.setLength(0);
      Object[] values = columnValues(row);
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          line.append('\t');
        }
        appendCopyValue(line, values[i]);
      }
      line.append('\n');
      out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void appendCopyValue(StringBuilder line, Object value) {
    if (value == null) {
      line.append("\\N");
      return;
    }
    String s = value instanceof Boolean b ? (b ? "t" : "f") : value.toString();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> line.append("\\\\");
        case '\t' -> line.append("\\t");
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        default -> line.append(ch);
      }
    }
  }

  /** TRUNCATE gives the table new, empty files: as fresh as a new table, indexes included. */
  private static void truncate(CopyCeiling.Connector jdbc, String table) {
    String sql = "TRUNCATE " + table;
    try (Connection c = jdbc.open(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
