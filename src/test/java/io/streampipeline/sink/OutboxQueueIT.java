package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.it.Db;
import io.streampipeline.it.TestInfra;
import io.streampipeline.window.AggregatedCodec;
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
 * The window outbox queue (aggregated_outbox, V8, V9) against the real database, with the publisher's own
 * statements: a window written again while the publisher is sending it is queued again and its new figures are
 * sent after the old ones; an entry carries the message of its window's last write and is sent without its row
 * being read, unless it has no message or one of another schema; an entry queued before V9 whose window row
 * changed after it was read stays queued; an entry whose row is gone is dropped; a refusal leaves the queue with
 * its publish_error.
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

  /** The publisher's read of the queue's head. */
  private static Future<RowSet<Row>> head(io.vertx.sqlclient.SqlClient client) {
    return client.preparedQuery(OutboxPublisherVerticle.SELECT_WINDOWS)
        .execute(Tuple.of(OutboxPublisherVerticle.V2_HEADER));
  }

  /** The dequeue of one entry as read, sent with its own message or not. */
  private static Tuple dequeue(Row entry, boolean ownMessage, String error) {
    return dequeue(entry, entry.getString("version"), ownMessage, error);
  }

  /** The dequeue of one entry, claiming its window row was sent at {@code version}. */
  private static Tuple dequeue(Row entry, String version, boolean ownMessage, String error) {
    return Tuple.tuple().addArrayOfLong(new Long[] {entry.getLong("seq")})
        .addArrayOfString(new String[] {entry.getString("window_id")})
        .addArrayOfString(new String[] {version})
        .addArrayOfBoolean(new Boolean[] {ownMessage}).addArrayOfString(new String[] {error});
  }

  /** The event count of the message an entry carries. */
  private static long sentEventCount(Row entry) throws Exception {
    return new AggregatedCodec().decode(entry.getBuffer("payload").getBytes()).eventCount();
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
      RowSet<Row> head = await(head(publisher));
      assertEquals(2, head.size());
      Row first = head.iterator().next();
      assertEquals("w-1", first.getString("window_id"));
      assertEquals(1L, sentEventCount(first));

      // A checkpoint writes w-1 again while the publisher sends its old figures: it waits for the publisher.
      Future<Void> rewrite = upsert(window("w-1", 10));
      Thread.sleep(500);
      assertFalse(rewrite.isComplete(), "the checkpoint waits for the entry the publisher holds");

      await(publisher.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS).execute(dequeue(first, true, null)));
      await(tx.commit());
      await(rewrite);
    } finally {
      await(publisher.close());
    }
    assertEquals(List.of("w-2", "w-1"), queued(), "w-1 is queued again, behind what was queued before");
    RowSet<Row> next = await(head(pool));
    Row again = next.iterator().next();
    Row last = null;
    for (Row r : next) {
      last = r;
    }
    assertEquals("w-2", again.getString("window_id"));
    assertEquals("w-1", last.getString("window_id"));
    assertEquals(10L, sentEventCount(last), "the new figures are the ones sent next");
  }

  @Test
  void anEntryCarriesTheMessageOfItsWindowsLastWriteAndIsSentWithoutReadingTheRow() throws Exception {
    await(upsert(window("w-1", 1)));
    await(upsert(window("w-1", 10)));
    assertEquals(List.of("w-1"), queued());
    Row entry = await(head(pool)).iterator().next();
    assertEquals(10L, sentEventCount(entry));
    assertTrue(entry.getBoolean("own_message"));
    assertNull(entry.getString("version"), "the window row is not looked up");
    assertNull(entry.getString("window_type"));
    assertEquals(1, await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS)
        .execute(dequeue(entry, true, null))).rowCount());
    assertEquals(List.of(), queued());
  }

  @Test
  void aMessageOfAnotherSchemaIsNotSentAsItIsButMadeAgainFromTheRow() throws Exception {
    await(upsert(window("w-1", 3)));
    // Another fingerprint after the 0xC3 0x01 marker: written by a release with another schema.
    db.execute("UPDATE aggregated_outbox SET payload = overlay(payload placing '\\x0102030405060708'::bytea "
        + "from 3 for 8)");
    Row entry = await(head(pool)).iterator().next();
    assertFalse(entry.getBoolean("own_message"));
    assertEquals(3L, entry.getLong("event_count"), "read from the window row");
    assertEquals("events_per_minute", entry.getString("window_type"));
    assertFalse(entry.getString("version") == null);
  }

  @Test
  void anEntryQueuedBeforeV9WhoseWindowChangedAfterItWasReadStaysQueued() throws Exception {
    await(upsert(window("w-1", 1)));
    db.execute("UPDATE aggregated_outbox SET payload = NULL"); // as V9 leaves the entries it finds
    Row read = await(head(pool)).iterator().next();
    assertFalse(read.getBoolean("own_message"));
    assertEquals(1L, read.getLong("event_count"), "read from the window row");
    // The checkpoint committed new figures between the publisher's read and its delete (the lock, following the
    // entry to its new version, would hand the publisher the new seq with the old row): the version tells.
    await(upsert(window("w-1", 10)));
    db.execute("UPDATE aggregated_outbox SET payload = NULL");
    Row moved = await(head(pool)).iterator().next();
    assertEquals(0, await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS)
        .execute(dequeue(moved, read.getString("version"), false, null))).rowCount());
    assertEquals(List.of("w-1"), queued(), "the new figures are still to be sent");

    assertEquals(1, await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS)
        .execute(dequeue(moved, false, null))).rowCount());
    assertEquals(List.of(), queued());
  }

  @Test
  void aRefusalLeavesTheQueueWithItsReasonAndAnEntryWithoutItsRowIsDropped() throws Exception {
    await(upsert(window("w-1", 1)));
    db.execute("INSERT INTO aggregated_outbox (window_id) VALUES ('gone')");
    RowSet<Row> head = await(head(pool));
    assertEquals(2, head.size());
    var rows = head.iterator();
    Row refused = rows.next();
    Row gone = rows.next();
    assertEquals("gone", gone.getString("window_id"));
    assertTrue(refused.getBoolean("own_message"));
    assertFalse(gone.getBoolean("own_message"));
    assertNull(gone.getString("version"));
    assertNull(gone.getString("window_type"));

    await(pool.preparedQuery(OutboxPublisherVerticle.DEQUEUE_WINDOWS).execute(Tuple.tuple()
        .addArrayOfLong(new Long[] {refused.getLong("seq"), gone.getLong("seq")})
        .addArrayOfString(new String[] {"w-1", "gone"})
        .addArrayOfString(new String[] {refused.getString("version"), null})
        .addArrayOfBoolean(new Boolean[] {true, false})
        .addArrayOfString(new String[] {"too large", null})));
    assertEquals(List.of(), queued());
    assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE publish_error = 'too large'"));
  }
}
