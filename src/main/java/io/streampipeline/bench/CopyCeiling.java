package io.streampipeline.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * PostgreSQL's own ceiling for this table: the rows a run stored, exported with COPY TO (untimed), then loaded
 * with plain COPY FROM STDIN (pgjdbc CopyManager, text format, one transaction per connection) into a fresh
 * table made {@code LIKE clickstream_events INCLUDING ALL} — same columns, primary key and indexes — on one
 * connection, and split in two halves on two connections at once. The fresh tables are dropped afterwards.
 */
final class CopyCeiling {
  /** The columns the sink writes (ingested_at takes its default, as in the sink). */
  static final String COLUMNS = "event_id, event_type, event_timestamp_ms, user_id, session_id, product_id, "
      + "product_category, price_cents, quantity, revenue_cents, search_query, page_url, referrer, user_agent, "
      + "ip_address, geo_country, geo_city, event_hour, is_mobile";

  record Result(long rows, double rowsPerSecondOneConnection, double rowsPerSecondTwoConnections) {
  }

  /** Opens a connection to the database under test. */
  interface Connector {
    Connection open() throws SQLException;
  }

  private CopyCeiling() {
  }

  static Result measure(Connector db, Path workDir) throws Exception {
    Files.createDirectories(workDir);
    Path all = workDir.resolve("copy-all.txt");
    Path[] halves = {workDir.resolve("copy-half-0.txt"), workDir.resolve("copy-half-1.txt")};
    long rows = export(db, "SELECT " + COLUMNS + " FROM clickstream_events", all);
    for (int h = 0; h < 2; h++) {
      export(db, "SELECT " + COLUMNS + " FROM clickstream_events WHERE abs(hashtext(event_id)) % 2 = " + h,
          halves[h]);
    }
    try {
      double one = load(db, "bench_copy_one", List.of(all), rows);
      double two = load(db, "bench_copy_two", List.of(halves), rows);
      return new Result(rows, one, two);
    } finally {
      Files.deleteIfExists(all);
      for (Path h : halves) {
        Files.deleteIfExists(h);
      }
    }
  }

  private static long export(Connector db, String select, Path file) throws SQLException, IOException {
    try (Connection c = db.open(); OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      return copy(c).copyOut("COPY (" + select + ") TO STDOUT", out);
    }
  }

  /** Loads the files in parallel, one connection each, into a fresh table; rows per second over all. */
  private static double load(Connector db, String table, List<Path> files, long rows) throws Exception {
    execute(db, "DROP TABLE IF EXISTS " + table);
    execute(db, "CREATE TABLE " + table + " (LIKE clickstream_events INCLUDING ALL)");
    ExecutorService pool = Executors.newFixedThreadPool(files.size());
    try {
      List<Connection> connections = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        connections.add(db.open());
      }
      long started = System.nanoTime();
      List<Future<Long>> loads = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        Connection c = connections.get(i);
        Path file = files.get(i);
        loads.add(pool.submit(() -> {
          try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return copy(c).copyIn("COPY " + table + " (" + COLUMNS + ") FROM STDIN", in);
          }
        }));
      }
      long loaded = 0;
      for (Future<Long> f : loads) {
        loaded += f.get();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      for (Connection c : connections) {
        c.close();
      }
      if (loaded != rows) {
        throw new IllegalStateException("COPY loaded " + loaded + " rows, expected " + rows);
      }
      return rows / seconds;
    } finally {
      pool.shutdownNow();
      execute(db, "DROP TABLE IF EXISTS " + table);
    }
  }

  private static CopyManager copy(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getCopyAPI();
  }

  private static void execute(Connector db, String sql) {
    try (Connection c = db.open(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
