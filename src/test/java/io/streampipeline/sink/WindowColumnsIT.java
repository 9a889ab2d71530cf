package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Array;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The set-based window upsert against the real database: per-row arrays travel as array literal text, so ids
 * with the characters that literal syntax uses (quotes, backslashes, commas, braces, spaces, the word NULL)
 * must come back exactly as they went in; new windows are plain inserts, and a window written again is refused
 * by them and overwrites its row through the upsert.
 */
class WindowColumnsIT {
  private static final String[] HOSTILE = {"prod \"quoted\"", "back\\slash", "a,b", "{braces}", " padded ",
      "NULL", "", "ünï€ødé", "'single'"};

  private Vertx vertx;
  private Pool pool;
  private Db db;

  @BeforeEach
  void connect() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    db = new Db(infra, database);
    vertx = Vertx.vertx();
    PgConnectOptions options = infra.pgConnectOptions(database);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static WindowResult window(String id, long events, String[] products, long[] counts) {
    return new WindowResult(id, WindowType.SESSION_SUMMARY, 1_000, 2_000, 3, "user \"x\"", "s,1", events, 1, 2, 3,
        4, 5, List.of(products).subList(0, Math.min(10, products.length)), List.of("cat\\1"), products, counts,
        new String[] {"cat\\1"}, new long[] {7}, 99);
  }

  private void upsert(List<WindowResult> windows) throws Exception {
    pool.preparedQuery(SinkSql.UPSERT_WINDOWS).execute(WindowColumns.of(windows)).await(30, TimeUnit.SECONDS);
  }

  @Test
  void arraysWithHostileIdsRoundTripAndALaterRowOfTheSameIdWins() throws Exception {
    long[] counts = new long[HOSTILE.length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = 1_000_000_000_000L + i;
    }
    upsert(List.of(window("w-1", 10, HOSTILE, counts), window("w-2", 20, new String[0], new long[0]),
        window("w-1", 11, HOSTILE, counts)));

    List<Map<String, Object>> rows = db.rows("SELECT window_id, event_count, user_id, session_id, top_products, "
        + "product_ids, product_counts, category_names, category_counts FROM aggregated_metrics ORDER BY window_id");
    assertEquals(2, rows.size());
    Map<String, Object> first = rows.get(0);
    assertEquals(11L, first.get("event_count"), "the later row of w-1 in the same statement wins");
    assertEquals("user \"x\"", first.get("user_id"));
    assertEquals("s,1", first.get("session_id"));
    assertArrayEquals(HOSTILE, (Object[]) ((Array) first.get("product_ids")).getArray());
    assertArrayEquals(HOSTILE, (Object[]) ((Array) first.get("top_products")).getArray());
    Long[] boxed = new Long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      boxed[i] = counts[i];
    }
    assertArrayEquals(boxed, (Object[]) ((Array) first.get("product_counts")).getArray());
    assertArrayEquals(new String[] {"cat\\1"}, (Object[]) ((Array) first.get("category_names")).getArray());
    assertArrayEquals(new Object[0], (Object[]) ((Array) rows.get(1).get("product_ids")).getArray());

    assertEquals(List.of("w-1", "w-2"), queued(), "every window written is queued once, in the same statement");

    // Published (dequeued, as the outbox publisher does), then written again by a replay: queued again.
    db.execute("DELETE FROM aggregated_outbox");
    db.execute("UPDATE aggregated_metrics SET publish_error = 'refused' WHERE window_id = 'w-2'");
    upsert(List.of(window("w-2", 21, new String[] {"p"}, new long[] {1})));
    assertEquals(21, db.count("SELECT event_count FROM aggregated_metrics WHERE window_id = 'w-2'"));
    assertEquals(List.of("w-2"), queued(), "a replayed window is published again");
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics WHERE publish_error IS NOT NULL"),
        "new figures clear the old refusal");

    // Written again while still queued: one entry, moved behind the windows queued since.
    upsert(List.of(window("w-1", 12, HOSTILE, counts)));
    upsert(List.of(window("w-2", 22, new String[] {"p"}, new long[] {1})));
    assertEquals(List.of("w-1", "w-2"), queued(), "queued once, in the order of their last write");
  }

  @Test
  void newWindowsArePlainInsertsAndAStoredOneIsRefusedOnItsKeyForTheUpsertToWrite() throws Exception {
    pool.preparedQuery(SinkSql.INSERT_WINDOWS).execute(WindowColumns.of(List.of(
        window("w-1", 10, HOSTILE, new long[HOSTILE.length]), window("w-2", 20, new String[0], new long[0]))))
        .await(30, TimeUnit.SECONDS);
    assertEquals(List.of("w-1", "w-2"), queued(), "rows and queue entries in one statement");
    assertEquals(2, db.count("SELECT count(*) FROM aggregated_outbox o JOIN aggregated_metrics a USING (window_id) "
        + "WHERE o.payload IS NOT NULL AND a.event_count IN (10, 20)"));
    assertArrayEquals(HOSTILE, (Object[]) ((Array) db.rows("SELECT product_ids FROM aggregated_metrics "
        + "WHERE window_id = 'w-1'").get(0).get("product_ids")).getArray());

    // A window stored before (rows and window state parted): the plain statement writes nothing and fails on the
    // key, which the sink reads as a duplicate key, so it writes the checkpoint again with the upsert.
    db.execute("DELETE FROM aggregated_outbox");
    Throwable refused = assertThrows(Exception.class, () -> pool.preparedQuery(SinkSql.INSERT_WINDOWS)
        .execute(WindowColumns.of(List.of(window("w-3", 30, new String[0], new long[0]),
            window("w-2", 21, new String[0], new long[0])))).await(30, TimeUnit.SECONDS));
    assertEquals(Failure.DUPLICATE_KEY, new CheckpointWriter(pool, "group", "topic").classify(refused));
    assertEquals(List.of(), queued());
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics WHERE window_id = 'w-3'"));
    upsert(List.of(window("w-3", 30, new String[0], new long[0]), window("w-2", 21, new String[0], new long[0])));
    assertEquals(21, db.count("SELECT event_count FROM aggregated_metrics WHERE window_id = 'w-2'"));
    assertEquals(List.of("w-2", "w-3"), queued().stream().sorted().toList());
  }

  private List<String> queued() {
    return db.rows("SELECT window_id FROM aggregated_outbox ORDER BY seq").stream()
        .map(r -> (String) r.get("window_id")).toList();
  }
}
