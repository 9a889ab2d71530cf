package io.streampipeline.bench;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * How fast each way of writing clickstream_events goes, with the same rows into a fresh table made like
 * clickstream_events (same primary key and indexes), autocommit, statements of a fixed number of rows:
 *
 * <ul>
 *   <li>{@code values}: one multi-row {@code INSERT … VALUES ($1, …), (…) ON CONFLICT DO NOTHING} with
 *       19 parameters per row (vertx-pg-client, prepared and cached);</li>
 *   <li>{@code unnest}: the sink's statement, {@code INSERT … SELECT * FROM unnest($1::varchar[], …)} with one
 *       array parameter per column (vertx-pg-client);</li>
 *   <li>{@code copy}: plain COPY FROM STDIN in text format (pgjdbc), one COPY per connection, for the
 *       ceiling.</li>
 * </ul>
 *
 * With two connections, two statements are in flight at once, each connection on its own event loop.
 */
final class SinkForms {
  private static final String TABLE = "bench_sink_form";
  private static final String UNNEST = "INSERT INTO " + TABLE + " (" + CopyCeiling.COLUMNS + ") "
      + "SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::varchar[], $5::varchar[], "
      + "$6::varchar[], $7::varchar[], $8::bigint[], $9::int[], $10::bigint[], $11::text[], $12::text[], "
      + "$13::text[], $14::text[], $15::varchar[], $16::varchar[], $17::varchar[], $18::smallint[], $19::bool[]) "
      + "ON CONFLICT (event_id) DO NOTHING";
  private static final int COLUMN_COUNT = 19;

  record Measurement(String form, int rowsPerStatement, int connections, long rows, double seconds) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  private SinkForms() {
  }

  static List<Measurement> run(Vertx vertx, PgConnectOptions options, CopyCeiling.Connector jdbc,
      List<EnrichedEvent> rows) throws Exception {
    List<Measurement> out = new ArrayList<>();
    for (int connections = 1; connections <= 2; connections++) {
      out.add(statements(vertx, options, jdbc, rows, "values", 500, connections));
      out.add(statements(vertx, options, jdbc, rows, "unnest", 500, connections));
      out.add(statements(vertx, options, jdbc, rows, "unnest", 2000, connections));
      out.add(copy(jdbc, rows, connections));
    }
    return out;
  }

  private static Measurement statements(Vertx vertx, PgConnectOptions options, CopyCeiling.Connector jdbc,
      List<EnrichedEvent> rows, String form, int perStatement, int connections) {
    List<List<EnrichedEvent>> batches = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += perStatement) {
      batches.add(rows.subList(i, Math.min(rows.size(), i + perStatement)));
    }
    List<Tuple> tuples = new ArrayList<>(batches.size());
    for (List<EnrichedEvent> batch : batches) {
      tuples.add(form.equals("values") ? valuesTuple(batch) : unnestTuple(batch));
    }
    Map<Integer, String> valuesSql = new HashMap<>();
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(connections).setEventLoopSize(connections).setName("bench-" + form))
        .connectingTo(options).using(vertx).build();
    try {
      // A few statements first, then a fresh table: connections open, statements prepared, code compiled.
      freshTable(jdbc);
      await(drive(pool, form, batches.subList(0, Math.min(10, batches.size())), tuples, valuesSql, connections));
      freshTable(jdbc);
      long started = System.nanoTime();
      await(drive(pool, form, batches, tuples, valuesSql, connections));
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Measurement(form, perStatement, connections, rows.size(), seconds);
    } finally {
      await(pool.close());
      execute(jdbc, "DROP TABLE IF EXISTS " + TABLE);
    }
  }

  /** {@code connections} chains, each sending the next unsent batch when its previous one is done. */
  private static Future<Void> drive(Pool pool, String form, List<List<EnrichedEvent>> batches, List<Tuple> tuples,
      Map<Integer, String> valuesSql, int connections) {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> chains = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      chains.add(chain(pool, form, batches, tuples, valuesSql, next));
    }
    return Future.all(chains).mapEmpty();
  }

  private static Future<Void> chain(Pool pool, String form, List<List<EnrichedEvent>> batches, List<Tuple> tuples,
      Map<Integer, String> valuesSql, AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= batches.size()) {
      return Future.succeededFuture();
    }
    String sql;
    if (form.equals("values")) {
      synchronized (valuesSql) {
        sql = valuesSql.computeIfAbsent(batches.get(i).size(), SinkForms::valuesSql);
      }
    } else {
      sql = UNNEST;
    }
    return pool.preparedQuery(sql).execute(tuples.get(i))
        .compose(done -> chain(pool, form, batches, tuples, valuesSql, next));
  }

  static String valuesSql(int rows) {
    StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE + " (" + CopyCeiling.COLUMNS + ") VALUES ");
    int param = 1;
    for (int r = 0; r < rows; r++) {
      sql.append(r == 0 ? "(" : ", (");
      for (int c = 0; c < COLUMN_COUNT; c++) {
        sql.append(c == 0 ? "$" : ", $").append(param++);
      }
      sql.append(')');
    }
    return sql.append(" ON CONFLICT (event_id) DO NOTHING").toString();
  }

  private static Tuple valuesTuple(List<EnrichedEvent> batch) {
    Tuple t = Tuple.tuple();
    for (EnrichedEvent row : batch) {
      ClickstreamEvent e = row.event();
      t.addString(e.eventId()).addString(e.eventType().wireName()).addLong(e.timestamp()).addString(e.userId())
          .addString(e.sessionId()).addString(e.productId()).addString(e.productCategory()).addLong(e.priceCents())
          .addInteger(e.quantity()).addLong(row.revenueCents()).addString(e.searchQuery()).addString(e.pageUrl())
          .addString(e.referrer()).addString(e.userAgent()).addString(e.ipAddress()).addString(e.geoCountry())
          .addString(e.geoCity()).addShort((short) row.eventHour()).addBoolean(row.mobile());
    }
    return t;
  }

  /** The sink's column arrays (as sink.EventColumns builds them). */
  private static Tuple unnestTuple(List<EnrichedEvent> batch) {
    int n = batch.size();
    String[][] text = new String[13][n];
    Long[] timestamps = new Long[n];
    Long[] prices = new Long[n];
    Integer[] quantities = new Integer[n];
    Long[] revenues = new Long[n];
    Short[] hours = new Short[n];
    Boolean[] mobile = new Boolean[n];
    for (int i = 0; i < n; i++) {
      EnrichedEvent row = batch.get(i);
      ClickstreamEvent e = row.event();
      text[0][i] = e.eventId();
      text[1][i] = e.eventType().wireName();
      text[2][i] = e.userId();
      text[3][i] = e.sessionId();
      text[4][i] = e.productId();
      text[5][i] = e.productCategory();
      text[6][i] = e.searchQuery();
      text[7][i] = e.pageUrl();
      text[8][i] = e.referrer();
      text[9][i] = e.userAgent();
      text[10][i] = e.ipAddress();
      text[11][i] = e.geoCountry();
      text[12][i] = e.geoCity();
      timestamps[i] = e.timestamp();
      prices[i] = e.priceCents();
      quantities[i] = e.quantity();
      revenues[i] = row.revenueCents();
      hours[i] = (short) row.eventHour();
      mobile[i] = row.mobile();
    }
    return Tuple.tuple().addArrayOfString(text[0]).addArrayOfString(text[1]).addArrayOfLong(timestamps)
        .addArrayOfString(text[2]).addArrayOfString(text[3]).addArrayOfString(text[4]).addArrayOfString(text[5])
        .addArrayOfLong(prices).addArrayOfInteger(quantities).addArrayOfLong(revenues).addArrayOfString(text[6])
        .addArrayOfString(text[7]).addArrayOfString(text[8]).addArrayOfString(text[9]).addArrayOfString(text[10])
        .addArrayOfString(text[11]).addArrayOfString(text[12]).addArrayOfShort(hours).addArrayOfBoolean(mobile);
  }

  private static Measurement copy(CopyCeiling.Connector jdbc, List<EnrichedEvent> rows, int connections)
      throws Exception {
    byte[][] parts = new byte[connections][];
    int per = (rows.size() + connections - 1) / connections;
    for (int c = 0; c < connections; c++) {
      parts[c] = copyText(rows.subList(c * per, Math.min(rows.size(), (c + 1) * per)));
    }
    freshTable(jdbc);
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
            .copyIn("COPY " + TABLE + " (" + CopyCeiling.COLUMNS + ") FROM STDIN", new ByteArrayInputStream(part))));
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
      execute(jdbc, "DROP TABLE IF EXISTS " + TABLE);
    }
  }

  /** COPY text format: tab separated, \N for null, backslash escapes. */
  private static byte[] copyText(List<EnrichedEvent> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 320);
    StringBuilder line = new StringBuilder(512);
    for (EnrichedEvent row : rows) {
      ClickstreamEvent e = row.event();
      line.setLength(0);
      Object[] values = {e.eventId(), e.eventType().wireName(), e.timestamp(), e.userId(), e.sessionId(),
          e.productId(), e.productCategory(), e.priceCents(), e.quantity(), row.revenueCents(), e.searchQuery(),
          e.pageUrl(), e.referrer(), e.userAgent(), e.ipAddress(), e.geoCountry(), e.geoCity(), row.eventHour(),
          row.mobile() ? "t" : "f"};
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
    String s = value.toString();
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

  private static void freshTable(CopyCeiling.Connector jdbc) {
    execute(jdbc, "DROP TABLE IF EXISTS " + TABLE);
    execute(jdbc, "CREATE TABLE " + TABLE + " (LIKE clickstream_events INCLUDING ALL)");
  }

  private static void execute(CopyCeiling.Connector jdbc, String sql) {
    try (Connection c = jdbc.open(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }
}
