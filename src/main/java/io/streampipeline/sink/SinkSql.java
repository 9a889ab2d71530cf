package io.streampipeline.sink;

/**
 * Every statement the sink runs, in one place. Set-based: one statement per table per transaction. Public for the
 * bench's {@code --sink-forms}, which measures these statements themselves.
 */
public final class SinkSql {
  private SinkSql() {
  }

  /**
   * unnest of column arrays, which writes rows faster than multi-row VALUES (docs/performance.md). The arrays are
   * unnested in the select list, not in FROM: equal-length arrays then go row by row in step (PostgreSQL 10+),
   * whereas {@code FROM unnest(a, b, …)} first copies all rows into a tuplestore, which spills to a temporary file
   * past work_mem.
   */
  public static final String INSERT_EVENTS = "INSERT INTO clickstream_events (event_id, event_type, event_timestamp_ms, "
      + "user_id, session_id, product_id, product_category, price_cents, quantity, revenue_cents, search_query, "
      + "page_url, referrer, user_agent, ip_address, geo_country, geo_city, event_hour, is_mobile) "
      + "SELECT unnest($1::varchar[]), unnest($2::varchar[]), unnest($3::bigint[]), unnest($4::varchar[]), "
      + "unnest($5::varchar[]), unnest($6::varchar[]), unnest($7::varchar[]), unnest($8::bigint[]), "
      + "unnest($9::int[]), unnest($10::bigint[]), unnest($11::text[]), unnest($12::text[]), unnest($13::text[]), "
      + "unnest($14::text[]), unnest($15::varchar[]), unnest($16::varchar[]), unnest($17::varchar[]), "
      + "unnest($18::smallint[]), unnest($19::bool[])";

  /** The same for a batch that repeats an event_id already stored (a producer retry): stored once. */
  static final String INSERT_EVENTS_SKIPPING_DUPLICATES = INSERT_EVENTS + " ON CONFLICT (event_id) DO NOTHING";

  /**
   * A dead letter's source key includes the ID of the log it was read from: a topic created again reuses
   * offsets, and a bad record of the new log must not be taken for one already stored from the old log.
   */
  static final String INSERT_DEAD_LETTERS = "INSERT INTO dead_letter_events (source_topic, source_partition, "
      + "source_offset, error_reason, original_payload, payload_encoding, failed_at, failed_at_iso, replay_of, "
      + "source_topic_id) "
      + "SELECT unnest($1::varchar[]), unnest($2::int[]), unnest($3::bigint[]), unnest($4::text[]), "
      + "unnest($5::text[]), unnest($6::varchar[]), unnest($7::bigint[]), unnest($8::varchar[]), "
      + "unnest($9::bigint[]), unnest($10::varchar[]) "
      + "ON CONFLICT (source_topic, source_partition, source_offset, source_topic_id) DO NOTHING";

  /** The window rows of a checkpoint ({@link WindowColumns}); the per-row arrays arrive as array literals. */
  private static final String WINDOW_ROWS = "INSERT INTO aggregated_metrics (window_id, window_type, "
      + "window_start, window_end, source_partition, user_id, session_id, event_count, unique_users, page_views, "
      + "add_to_carts, purchases, total_revenue_cents, top_products, top_categories, product_ids, product_counts, "
      + "category_names, category_counts, emitted_at) "
      + "SELECT unnest($1::varchar[]), unnest($2::varchar[]), unnest($3::bigint[]), unnest($4::bigint[]), "
      + "unnest($5::int[]), unnest($6::varchar[]), unnest($7::varchar[]), unnest($8::bigint[]), "
      + "unnest($9::bigint[]), unnest($10::bigint[]), unnest($11::bigint[]), unnest($12::bigint[]), "
      + "unnest($13::bigint[]), unnest($14::text[])::text[], unnest($15::text[])::text[], "
      + "unnest($16::text[])::text[], unnest($17::text[])::bigint[], unnest($18::text[])::text[], "
      + "unnest($19::text[])::bigint[], unnest($20::bigint[])";

  /**
   * New windows, with their queue entries (aggregated_outbox) in the same statement so that rows and entries
   * commit together; each entry carries the window's message ($21, AggregatedMetrics v2 single-object encoding),
   * which the publisher sends as it is. All of a checkpoint's windows in one statement.
   *
   * <p>Plain inserts, the sink's first try: a lane emits each window once (its state, committed with the rows,
   * says what it has closed), so a stored window_id only comes again when rows and state part, e.g. a lost
   * COMMIT reply or the checkpoints deleted by hand. Then this fails on the key, and the sink writes the
   * checkpoint again with {@link #UPSERT_WINDOWS} (SinkPolicy, as for a repeated event_id). The upsert's
   * speculative inserts into both tables and its join of returned ids cost PostgreSQL more per window row
   * (docs/performance.md), a cost every checkpoint would pay for the rare repeat.
   */
  public static final String INSERT_WINDOWS = "WITH w AS (" + WINDOW_ROWS + ") "
      + "INSERT INTO aggregated_outbox (window_id, payload) SELECT unnest($1::varchar[]), unnest($21::bytea[])";

  /**
   * A window written again overwrites its row and is published again: consumers upsert by window_id.
   *
   * <p>The same statement queues every window it wrote, as {@link #INSERT_WINDOWS} does. A window still queued is
   * moved to the back (a new seq): that takes the entry's row lock, so it waits for a publisher sending the
   * window's earlier figures; when that publisher deleted the entry, the insert is retried and queues the window
   * anew. Either way the figures written here are sent after any earlier ones. An earlier publish_error no longer
   * describes the new figures and is cleared. An entry queued again gets the new message with its new place, and
   * the time of it.
   */
  public static final String UPSERT_WINDOWS = "WITH w AS (" + WINDOW_ROWS + " "
      + "ON CONFLICT (window_id) DO UPDATE SET window_end = EXCLUDED.window_end, "
      + "event_count = EXCLUDED.event_count, unique_users = EXCLUDED.unique_users, "
      + "page_views = EXCLUDED.page_views, add_to_carts = EXCLUDED.add_to_carts, purchases = EXCLUDED.purchases, "
      + "total_revenue_cents = EXCLUDED.total_revenue_cents, top_products = EXCLUDED.top_products, "
      + "top_categories = EXCLUDED.top_categories, product_ids = EXCLUDED.product_ids, "
      + "product_counts = EXCLUDED.product_counts, category_names = EXCLUDED.category_names, "
      + "category_counts = EXCLUDED.category_counts, emitted_at = EXCLUDED.emitted_at, publish_error = NULL "
      + "RETURNING window_id) "
      + "INSERT INTO aggregated_outbox (window_id, payload) SELECT w.window_id, m.payload FROM w "
      + "JOIN unnest($1::varchar[], $21::bytea[]) AS m(window_id, payload) ON m.window_id = w.window_id "
      + "ON CONFLICT (window_id) DO UPDATE SET seq = DEFAULT, payload = EXCLUDED.payload, queued_at = DEFAULT";

  /**
   * The compare-and-set: a partition's stored position moves only if both its owner epoch and its offset are
   * still what this lane restored or last wrote. A lane whose partition was claimed by a newer owner (or by its
   * own later restore) cannot write it any more, not even an idle checkpoint whose offset did not move. The log's
   * identity goes with the offset: the topic ID (a row without one adopts the first one written) and the
   * leader epoch of the last record read (NULL: not known), which a restore seeks with.
   */
  static final String ADVANCE_CHECKPOINTS = "UPDATE pipeline_checkpoints c SET next_offset = t.next_offset, "
      + "state_snapshot = COALESCE(t.snapshot, c.state_snapshot), "
      + "state_changes = COALESCE(t.changes, c.state_changes), checkpoint_id = $3, updated_at = now(), "
      + "topic_id = COALESCE(t.topic_id, c.topic_id), leader_epoch = t.leader_epoch "
      + "FROM unnest($4::int[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bytea[], $9::bigint[], "
      + "$10::varchar[], $11::int[]) "
      + "AS t(partition, owner_epoch, previous, next_offset, snapshot, changes, topic_id, leader_epoch) "
      + "WHERE c.consumer_group = $1 AND c.topic = $2 AND c.partition = t.partition "
      + "AND c.owner_epoch = t.owner_epoch AND c.next_offset = t.previous "
      + "RETURNING c.partition";

  /**
   * A lane takes over partitions: each one's owner epoch goes up by one (a partition never checkpointed gets
   * its row, with next_offset -1 for "no position yet"), and its position and window state are read in the same
   * statement. From then on only checkpoints carrying the new epoch can move the partition.
   */
  static final String CLAIM_PARTITIONS = "INSERT INTO pipeline_checkpoints (consumer_group, topic, partition, "
      + "next_offset, checkpoint_id, owner_epoch) "
      + "SELECT $1, $2, p, -1, 0, 1 FROM unnest($3::int[]) AS p "
      + "ON CONFLICT (consumer_group, topic, partition) "
      + "DO UPDATE SET owner_epoch = pipeline_checkpoints.owner_epoch + 1, updated_at = now() "
      + "RETURNING partition, next_offset, state_snapshot, state_changes, owner_epoch, topic_id, leader_epoch";

  /**
   * A full snapshot replaces the base: the partitions' stored deltas go (docs/design.md#window-state-storage).
   * Run after {@link #ADVANCE_CHECKPOINTS} succeeded for every partition of the transaction, so a refused
   * partition never loses its changes.
   */
  static final String DELETE_STATE_CHANGES = "DELETE FROM pipeline_state_changes "
      + "WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::int[])";

  /**
   * One delta row per partition, after {@link #ADVANCE_CHECKPOINTS} succeeded. A row already there (same
   * partition and seq) is never overwritten: the partitions not returned are treated as refused (the whole
   * transaction rolls back and they are restored from what is stored). That only happens when the COMMIT of an
   * idle checkpoint (offset unmoved, so its compare-and-set matches again) succeeded but its reply was lost.
   */
  static final String INSERT_STATE_CHANGES = "INSERT INTO pipeline_state_changes (consumer_group, topic, partition, "
      + "seq, changes) SELECT $1, $2, t.partition, t.seq, t.changes "
      + "FROM unnest($3::int[], $4::bigint[], $5::bytea[]) AS t(partition, seq, changes) "
      + "ON CONFLICT (consumer_group, topic, partition, seq) DO NOTHING RETURNING partition";

  /** The deltas stored on the claimed partitions' base snapshots, in the claim's transaction. */
  static final String READ_STATE_CHANGES = "SELECT partition, seq, changes FROM pipeline_state_changes "
      + "WHERE consumer_group = $1 AND topic = $2 AND partition = ANY($3::int[]) ORDER BY partition, seq";
}
