package io.streampipeline.outbox;

import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.window.AggregatedCodec;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The outbox in PostgreSQL: windows queued in aggregated_outbox, dead letters in dead_letter_events until
 * published. Window rows themselves are never updated to mark them sent: the dequeue touches only the narrow queue
 * entry.
 *
 * <p>A checkpoint that writes a window again while it is being sent queues it again in the same statement, which
 * takes the entry's row lock (sink/SinkSql#UPSERT_WINDOWS): it waits for the round, and after the round's dequeue it
 * inserts a new entry, so the new figures are sent after the old ones. One case slips past the lock: the checkpoint
 * commits between the round's snapshot and its lock of the entry; the lock then follows the entry to its new
 * version. An entry that carries its window's message hands over the new message with the new version, and that is
 * what is sent. An entry without one is sent from its window row, which may be the old one: such an entry is
 * dequeued only if the window row is still the version that was sent (its xmin); otherwise it stays and the new
 * figures go out next round.
 */
final class PgOutboxStore implements OutboxStore {
  /** What an entry's message starts with when it is AggregatedMetrics v2 in single-object encoding. */
  static final Buffer V2_HEADER = Buffer.buffer(ClickstreamCodec.singleObjectHeader(AggregatedCodec.V2_FINGERPRINT));
  /**
   * The queue's head. {@code own_message} says the entry carries a message to send as it is (it starts with
   * {@code $1}, the v2 single-object header: 0xC3 0x01 and the fingerprint). An entry without one, or with a message
   * of another schema, comes with its window row instead (looked up only for such entries) and {@code version}, the
   * row version read (its xmin); if that row is gone (deleted by hand) it comes with neither and is dropped unsent.
   */
  private static final String SELECT_WINDOWS = "SELECT o.seq, o.window_id, o.payload, m.own_message, a.version, "
      + "a.window_type, a.window_start, a.window_end, a.source_partition, a.user_id, a.session_id, a.event_count, "
      + "a.unique_users, a.page_views, a.add_to_carts, a.purchases, a.total_revenue_cents, a.top_products, "
      + "a.top_categories, a.product_ids, a.product_counts, a.category_names, a.category_counts, a.emitted_at "
      + "FROM aggregated_outbox o CROSS JOIN LATERAL (SELECT o.payload IS NOT NULL "
      + "AND substr(o.payload, 1, 10) = $1::bytea AS own_message) m "
      + "LEFT JOIN LATERAL (SELECT r.xmin::text AS version, r.* FROM aggregated_metrics r "
      + "WHERE NOT m.own_message AND r.window_id = o.window_id) a "
      + "ON true ORDER BY o.seq LIMIT %d FOR UPDATE OF o SKIP LOCKED";
  /**
   * $1 the settled entries' seq, $2 their window_id, $3 the row version sent (null: no row), $4 whether the message
   * sent was the entry's own, $5 per entry null (sent) or why it can never be sent. Deletes the entries and writes
   * the refusals' publish_error.
   *
   * <p>An entry sent with its own message goes: the round holds its lock, and the lock is on the version whose
   * message was sent. An entry sent from its window row goes only if the row is still the version sent; otherwise
   * new figures were committed between the read and the lock, and it stays queued for the next round. Every row is
   * found by its key (a subquery per entry, {@code = ANY} of the keys): written as a join, the planner hashes the
   * whole of aggregated_metrics. The publisher's connection also plans each execution anew
   * (OutboxPublisherVerticle).
   */
  private static final String DEQUEUE_WINDOWS = "WITH done AS (SELECT u.seq, u.window_id, u.error FROM unnest("
      + "$1::bigint[], $2::varchar[], $3::text[], $4::boolean[], $5::text[]) AS u(seq, window_id, version, "
      + "own_message, error) WHERE u.own_message OR u.version IS NOT DISTINCT FROM "
      + "(SELECT a.xmin::text FROM aggregated_metrics a WHERE a.window_id = u.window_id)), "
      + "refused AS (UPDATE aggregated_metrics a "
      + "SET publish_error = (SELECT d.error FROM done d WHERE d.window_id = a.window_id) "
      + "WHERE a.window_id = ANY (ARRAY(SELECT d.window_id FROM done d WHERE d.error IS NOT NULL))) "
      + "DELETE FROM aggregated_outbox WHERE seq = ANY (ARRAY(SELECT seq FROM done))";
  private static final String SELECT_DEAD_LETTERS = "SELECT id, source_topic, source_partition, source_offset, "
      + "source_topic_id, error_reason, original_payload, payload_encoding, failed_at FROM dead_letter_events "
      + "WHERE NOT published ORDER BY id LIMIT %d FOR UPDATE SKIP LOCKED";
  private static final String MARK_DEAD_LETTERS = "UPDATE dead_letter_events d SET published = true, "
      + "publish_error = u.error FROM unnest($1::bigint[], $2::text[]) AS u(id, error) WHERE d.id = u.id";
  /** The most rows counted per topic; a longer queue is reported as this many. */
  static final int COUNT_CAP = 100_000;
  /**
   * One row: how many windows are queued and how long the head of the queue has waited, in seconds (queued_at is the
   * time an entry got its place, so the head is the oldest); the same for unpublished dead letters through the
   * partial index idx_dlq_unpublished. 0 seconds when nothing waits. The oldest is found through the primary key and
   * the count stops at {@link #COUNT_CAP}, so the reading costs little however long the queue.
   */
  private static final String BACKLOG = "SELECT "
      + "(SELECT count(*) FROM (SELECT 1 FROM aggregated_outbox LIMIT " + COUNT_CAP + ") q) AS windows_pending, "
      + "COALESCE((SELECT extract(epoch FROM now() - queued_at) FROM aggregated_outbox ORDER BY seq LIMIT 1), 0)"
      + "::float8 AS windows_oldest, "
      + "(SELECT count(*) FROM (SELECT 1 FROM dead_letter_events WHERE NOT published LIMIT " + COUNT_CAP + ") q) "
      + "AS dead_letters_pending, "
      + "COALESCE((SELECT extract(epoch FROM now() - created_at) FROM dead_letter_events WHERE NOT published "
      + "ORDER BY id LIMIT 1), 0)::float8 AS dead_letters_oldest";

  private final Pool pool;

  PgOutboxStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Round> publishWindows(int limit,
      Function<List<QueuedWindow>, Future<List<Settled<QueuedWindow>>>> send) {
    return pool.withTransaction(conn -> conn.preparedQuery(SELECT_WINDOWS.formatted(limit))
        .execute(Tuple.of(V2_HEADER))
        .compose(rows -> round(rows, PgOutboxStore::queuedWindow, send, settled -> dequeue(conn, settled))));
  }

  @Override
  public Future<Round> publishDeadLetters(int limit,
      Function<List<PendingDeadLetter>, Future<List<Settled<PendingDeadLetter>>>> send) {
    return pool.withTransaction(conn -> conn.query(SELECT_DEAD_LETTERS.formatted(limit)).execute()
        .compose(rows -> round(rows, PgOutboxStore::pendingDeadLetter, send, settled -> markPublished(conn, settled))));
  }

  @Override
  public Future<Backlog> backlog() {
    return pool.query(BACKLOG).execute().map(rows -> {
      Row row = rows.iterator().next();
      return new Backlog(row.getLong("windows_pending"), row.getDouble("windows_oldest"),
          row.getLong("dead_letters_pending"), row.getDouble("dead_letters_oldest"));
    });
  }

  /** Hands the rows read to {@code send}, then settles in the same transaction what it settled. */
  private static <R> Future<Round> round(RowSet<Row> rows, Function<Row, R> read,
      Function<List<R>, Future<List<Settled<R>>>> send, Function<List<Settled<R>>, Future<?>> settle) {
    if (rows.size() == 0) {
      return Future.succeededFuture(Round.NONE);
    }
    List<R> entries = new ArrayList<>(rows.size());
    for (Row row : rows) {
      entries.add(read.apply(row));
    }
    return send.apply(entries).compose(settled -> {
      Round round = new Round(rows.size(), rows.size() - settled.size());
      return settled.isEmpty() ? Future.succeededFuture(round) : settle.apply(settled).map(round);
    });
  }

  private static Future<?> dequeue(SqlConnection conn, List<Settled<QueuedWindow>> settled) {
    int n = settled.size();
    Long[] seqs = new Long[n];
    String[] windowIds = new String[n];
    String[] versions = new String[n];
    Boolean[] ownMessages = new Boolean[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      QueuedWindow entry = settled.get(i).row();
      seqs[i] = entry.seq();
      windowIds[i] = entry.windowId();
      versions[i] = entry.version();
      ownMessages[i] = entry.ownMessage();
      errors[i] = settled.get(i).error();
    }
    return conn.preparedQuery(DEQUEUE_WINDOWS).execute(Tuple.tuple().addArrayOfLong(seqs)
        .addArrayOfString(windowIds).addArrayOfString(versions).addArrayOfBoolean(ownMessages)
        .addArrayOfString(errors));
  }

  private static Future<?> markPublished(SqlConnection conn, List<Settled<PendingDeadLetter>> settled) {
    Long[] ids = new Long[settled.size()];
    String[] errors = new String[settled.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = settled.get(i).row().id();
      errors[i] = settled.get(i).error();
    }
    return conn.preparedQuery(MARK_DEAD_LETTERS).execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfString(errors));
  }

  private static QueuedWindow queuedWindow(Row row) {
    boolean ownMessage = row.getBoolean("own_message");
    String version = row.getString("version");
    return new QueuedWindow(row.getLong("seq"), row.getString("window_id"), version, ownMessage,
        ownMessage ? row.getBuffer("payload").getBytes() : null,
        ownMessage || version == null ? null : window(row));
  }

  private static PendingDeadLetter pendingDeadLetter(Row row) {
    String topicId = row.getString("source_topic_id");
    return new PendingDeadLetter(row.getLong("id"), row.getString("source_topic"), row.getInteger("source_partition"),
        row.getLong("source_offset"), topicId.isEmpty() ? null : topicId, row.getString("error_reason"),
        row.getString("original_payload"), row.getString("payload_encoding"), row.getLong("failed_at"));
  }

  /** A window row of aggregated_metrics as the window it holds. */
  static WindowResult window(Row row) {
    return new WindowResult(
        row.getString("window_id"),
        WindowType.fromWireName(row.getString("window_type")),
        row.getLong("window_start"),
        row.getLong("window_end"),
        row.getInteger("source_partition"),
        row.getString("user_id"),
        row.getString("session_id"),
        row.getLong("event_count"),
        row.getLong("unique_users"),
        row.getLong("page_views"),
        row.getLong("add_to_carts"),
        row.getLong("purchases"),
        row.getLong("total_revenue_cents"),
        List.of(row.getArrayOfStrings("top_products")),
        List.of(row.getArrayOfStrings("top_categories")),
        row.getArrayOfStrings("product_ids"),
        unboxed(row.getArrayOfLongs("product_counts")),
        row.getArrayOfStrings("category_names"),
        unboxed(row.getArrayOfLongs("category_counts")),
        row.getLong("emitted_at"));
  }

  private static long[] unboxed(Long[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
