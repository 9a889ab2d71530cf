package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streampipeline.it.Db;
import io.streampipeline.it.TestInfra;
import io.streampipeline.window.WindowResult;
import io.streampipeline.window.WindowType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window outbox queue (aggregated_outbox, V8) against the real database, with the publisher's own statements:
 * a window written again while the publisher is sending it is queued again and its new figures are sent after
 * the old ones; an entry whose window row changed after it was read stays queued; an entry whose row is gone is
 * dropped; a refusal leaves the queue with its publish_error.
 */
class OutboxQueueIT {
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
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(3)).connectingTo(options).using(vertx).build();
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static WindowResult window(String id, long events) {
    return new WindowResult(id, WindowType.EVENTS_PER_MINUTE, 60_000, 120_000, 1, null, null, events, 1, events,
        0, 0, 0, List.of(), List.of(), new String[0], new long[0], new String[0], new long[0], 7);
  }

  private Future<Void> upsert(WindowResult... windows) {
    return pool.preparedQuery(SinkSql.UPSERT_WINDOWS).execute(WindowColumns.of(List.of(windows))).mapEmpty();
  }

  private static Tuple dequeue(Row entry, String error) {
    return Tuple.tuple().addArrayOfLong(new Long[] {entry.getLong("seq")})
        .addArrayOfString(new String[] {entry.getString("window_id")})
        .addArrayOfString(new String[] {entry.getString("version")}).addArrayOfString(new String[] {error});
  }

  private List<String> queued() {
    return db.rows("SELECT window_id FROM aggregated_outbox ORDER BY seq").stream()
        .map(r -> (String) r.get("window_id")).toList();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }

  @Test
  void aWindowWrittenAgainWhileItIsSentIsQueuedAgainAndSentWithItsNewFigures() throws Exception {
    await(upsert(window("w-1", 1), window("w-2", 2)));
    assertEquals(List.of("w-1", "w-2"), queued());

    SqlConnection publisher = await(pool.getConnection());
    try {
      Transaction tx = await(publisher.begin());
      RowSet<Row> head = await(publisher.query(OutboxPublisherVerticle.SELECT_WINDOWS).execute());
      assertEquals(2, head.size());
      Row first = head.iterator().next();
      assertEquals("w-1", first.getString("window_id"));
      assertEquals(1L, first.getLong("event_count"));

      // A checkpoint writes w-1 again while the publisher sends its old figures: it waits for the publisher.
      Future<Void> rewrite = upsert(window("w-1", 10));
      Thread.sleep(500);
      assertFalse(rewrite.isComplete(), "the checkpoint waits for the entry the publisher holds");

      await(publisher.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS).execute(dequeue(first, null)));
      await(tx.commit());
      await(rewrite);
    } finally {
      await(publisher.close());
    }
    assertEquals(List.of("w-2", "w-1"), queued(), "w-1 is queued again, behind what was queued before");
    RowSet<Row> next = await(pool.query(OutboxPublisherVerticle.SELECT_WINDOWS).execute());
    Row again = next.iterator().next();
    Row last = null;
    for (Row r : next) {
      last = r;
    }
    assertEquals("w-2", again.getString("window_id"));
    assertEquals("w-1", last.getString("window_id"));
    assertEquals(10L, last.getLong("event_count"), "the new figures are the ones sent next");
  }

  @Test
  void anEntryWhoseWindowChangedAfterItWasReadStaysQueued() throws Exception {
    await(upsert(window("w-1", 1)));
    Row read = await(pool.query(OutboxPublisherVerticle.SELECT_WINDOWS).execute()).iterator().next();
    // The checkpoint committed new figures between the publisher's read and its delete (the lock, following the
    // entry to its new version, would hand the publisher the new seq with the old row): the version tells.
    await(upsert(window("w-1", 10)));
    Row moved = await(pool.query(OutboxPublisherVerticle.SELECT_WINDOWS).execute()).iterator().next();
    Tuple staleRead = Tuple.tuple().addArrayOfLong(new Long[] {moved.getLong("seq")})
        .addArrayOfString(new String[] {"w-1"}).addArrayOfString(new String[] {read.getString("version")})
        .addArrayOfString(new String[] {null});
    assertEquals(0, await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS).execute(staleRead))
        .rowCount());
    assertEquals(List.of("w-1"), queued(), "the new figures are still to be sent");

    assertEquals(1, await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS)
        .execute(dequeue(moved, null))).rowCount());
    assertEquals(List.of(), queued());
  }

  @Test
  void aRefusalLeavesTheQueueWithItsReasonAndAnEntryWithoutItsRowIsDropped() throws Exception {
    await(upsert(window("w-1", 1)));
    db.execute("INSERT INTO aggregated_outbox (window_id) VALUES ('gone')");
    RowSet<Row> head = await(pool.query(OutboxPublisherVerticle.SELECT_WINDOWS).execute());
    assertEquals(2, head.size());
    var rows = head.iterator();
    Row refused = rows.next();
    Row gone = rows.next();
    assertEquals("gone", gone.getString("window_id"));
    assertNull(gone.getString("version"));
    assertNull(gone.getString("window_type"));

    await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS).execute(Tuple.tuple()
        .addArrayOfLong(new Long[] {refused.getLong("seq"), gone.getLong("seq")})
        .addArrayOfString(new String[] {"w-1", "gone"})
        .addArrayOfString(new String[] {refused.getString("version"), null})
        .addArrayOfString(new String[] {"too large", null})));
    assertEquals(List.of(), queued());
    assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE publish_error = 'too large'"));
  }
}
