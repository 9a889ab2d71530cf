package io.streampipeline.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.outbox.OutboxStore.QueuedWindow;
import io.streampipeline.outbox.OutboxStore.Round;
import io.streampipeline.outbox.OutboxStore.Settled;
import io.streampipeline.sink.SinkSql;
import io.streampipeline.sink.WindowColumns;
import io.streampipeline.window.AggregatedCodec;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window outbox queue (aggregated_outbox) against the real database, through {@link PgOutboxStore}: a window
 * written again while a round is sending it is queued again and its new figures are sent after the old ones; an
 * entry carries the message of its window's last write and is sent without its row being read, unless it has no
 * message or one of another schema; an entry without a message whose window row changed after it was read stays
 * queued; an entry whose row is gone is dropped; a refusal leaves the queue with its publish_error.
 */
class OutboxQueueIT {
  private static final int LIMIT = OutboxPublisher.BATCH;
  private Vertx vertx;
  private Pool pool;
  private PgOutboxStore store;
  private Db db;

  @BeforeEach
  void connect() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    db = new Db(infra, database);
    vertx = Vertx.vertx();
    PgConnectOptions options = infra.pgConnectOptions(database);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(3)).connectingTo(options).using(vertx).build();
    store = new PgOutboxStore(pool);
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

  /** The queue's head as a round reads it, settling nothing. */
  private List<QueuedWindow> head() throws Exception {
    Promise<List<QueuedWindow>> read = Promise.promise();
    await(store.publishWindows(LIMIT, entries -> {
      read.complete(entries);
      return Future.succeededFuture(List.of());
    }));
    return read.future().isComplete() ? read.future().result() : List.of();
  }

  /** A round that settles {@code settled} from what it reads. */
  private Round settle(java.util.function.Function<List<QueuedWindow>, List<Settled<QueuedWindow>>> settled)
      throws Exception {
    return await(store.publishWindows(LIMIT, entries -> Future.succeededFuture(settled.apply(entries))));
  }

  /** An entry as read, claiming its window row was sent at {@code version}. */
  private static QueuedWindow sentAt(QueuedWindow entry, String version) {
    return new QueuedWindow(entry.seq(), entry.windowId(), version, entry.ownMessage(), entry.payload(),
        entry.window());
  }

  /** The event count of the message an entry carries. */
  private static long sentEventCount(QueuedWindow entry) throws Exception {
    return new AggregatedCodec().decode(entry.payload()).eventCount();
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

    Promise<List<QueuedWindow>> read = Promise.promise();
    Promise<List<Settled<QueuedWindow>>> sent = Promise.promise();
    Future<Round> round = store.publishWindows(LIMIT, entries -> {
      read.complete(entries);
      return sent.future();
    });
    List<QueuedWindow> head = await(read.future());
    assertEquals(2, head.size());
    QueuedWindow first = head.get(0);
    assertEquals("w-1", first.windowId());
    assertEquals(1L, sentEventCount(first));

    // A checkpoint writes w-1 again while the round sends its old figures: it waits for the round.
    Future<Void> rewrite = upsert(window("w-1", 10));
    Thread.sleep(500);
    assertFalse(rewrite.isComplete(), "the checkpoint waits for the entry the round holds");

    sent.complete(List.of(new Settled<>(first, null)));
    assertEquals(new Round(2, 1), await(round), "w-2 was read but not settled");
    await(rewrite);
    assertEquals(List.of("w-2", "w-1"), queued(), "w-1 is queued again, behind what was queued before");
    List<QueuedWindow> next = head();
    assertEquals("w-2", next.get(0).windowId());
    QueuedWindow last = next.get(next.size() - 1);
    assertEquals("w-1", last.windowId());
    assertEquals(10L, sentEventCount(last), "the new figures are the ones sent next");
  }

  @Test
  void anEntryCarriesTheMessageOfItsWindowsLastWriteAndIsSentWithoutReadingTheRow() throws Exception {
    await(upsert(window("w-1", 1)));
    await(upsert(window("w-1", 10)));
    assertEquals(List.of("w-1"), queued());
    QueuedWindow entry = head().get(0);
    assertEquals(10L, sentEventCount(entry));
    assertTrue(entry.ownMessage());
    assertNull(entry.version(), "the window row is not looked up");
    assertNull(entry.window());
    assertEquals(new Round(1, 0), settle(entries -> List.of(new Settled<>(entries.get(0), null))));
    assertEquals(List.of(), queued());
  }

  @Test
  void aMessageOfAnotherSchemaIsNotSentAsItIsButMadeAgainFromTheRow() throws Exception {
    await(upsert(window("w-1", 3)));
    // Another fingerprint after the 0xC3 0x01 marker: written by a release with another schema.
    db.execute("UPDATE aggregated_outbox SET payload = overlay(payload placing '\\x0102030405060708'::bytea "
        + "from 3 for 8)");
    QueuedWindow entry = head().get(0);
    assertFalse(entry.ownMessage());
    assertEquals(3L, entry.window().eventCount(), "read from the window row");
    assertEquals(WindowType.EVENTS_PER_MINUTE, entry.window().type());
    assertFalse(entry.version() == null);
  }

  @Test
  void anEntryWithoutAMessageWhoseWindowChangedAfterItWasReadStaysQueued() throws Exception {
    await(upsert(window("w-1", 1)));
    db.execute("UPDATE aggregated_outbox SET payload = NULL"); // an entry without its window's message
    QueuedWindow read = head().get(0);
    assertFalse(read.ownMessage());
    assertEquals(1L, read.window().eventCount(), "read from the window row");
    // The checkpoint committed new figures between the round's read and its dequeue (the lock, following the
    // entry to its new version, would hand the round the new seq with the old row): the version tells.
    await(upsert(window("w-1", 10)));
    db.execute("UPDATE aggregated_outbox SET payload = NULL");
    settle(entries -> List.of(new Settled<>(sentAt(entries.get(0), read.version()), null)));
    assertEquals(List.of("w-1"), queued(), "the new figures are still to be sent");

    settle(entries -> List.of(new Settled<>(entries.get(0), null)));
    assertEquals(List.of(), queued());
  }

  @Test
  void aRefusalLeavesTheQueueWithItsReasonAndAnEntryWithoutItsRowIsDropped() throws Exception {
    await(upsert(window("w-1", 1)));
    db.execute("INSERT INTO aggregated_outbox (window_id) VALUES ('gone')");
    List<QueuedWindow> head = head();
    assertEquals(2, head.size());
    QueuedWindow refused = head.get(0);
    QueuedWindow gone = head.get(1);
    assertEquals("gone", gone.windowId());
    assertTrue(refused.ownMessage());
    assertFalse(gone.ownMessage());
    assertNull(gone.version());
    assertNull(gone.window());

    assertEquals(new Round(2, 0), settle(entries -> List.of(new Settled<>(entries.get(0), "too large"),
        new Settled<>(entries.get(1), null))));
    assertEquals(List.of(), queued());
    assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE publish_error = 'too large'"));
  }
}
