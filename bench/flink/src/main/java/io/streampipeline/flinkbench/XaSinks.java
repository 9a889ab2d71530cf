package io.streampipeline.flinkbench;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import javax.sql.XADataSource;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.util.function.SerializableSupplier;
import org.postgresql.xa.PGXADataSource;

/**
 * The JDBC connector's exactly-once sinks: each sink writer runs its rows in an XA transaction per checkpoint,
 * prepares it on the checkpoint barrier and commits it when the checkpoint completes, so a row is in the table
 * exactly when the checkpoint that read its record is. PostgreSQL needs one transaction per connection
 * (it cannot suspend and resume an XA branch), hence {@code withTransactionPerConnection(true)}.
 */
final class XaSinks {
  /**
   * Rows per executeBatch. The pgjdbc option reWriteBatchedInserts turns a batch into multi-row INSERTs, the
   * closest a row-at-a-time JDBC sink comes to the pipeline's unnest statements.
   */
  static final int BATCH = 2_000;

  /** The pipeline's columns of clickstream_events (sink/SinkSql.INSERT_EVENTS), one row per statement. */
  static final String INSERT_EVENT = "INSERT INTO clickstream_events (event_id, event_type, event_timestamp_ms, "
      + "user_id, session_id, product_id, product_category, price_cents, quantity, revenue_cents, search_query, "
      + "page_url, referrer, user_agent, ip_address, geo_country, geo_city, event_hour, is_mobile) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING";

  /** A window row and its aggregated_outbox entry in one statement, as the pipeline's INSERT_WINDOWS does. */
  static final String INSERT_WINDOW = "WITH w AS (INSERT INTO aggregated_metrics (window_id, window_type, "
      + "window_start, window_end, source_partition, user_id, session_id, event_count, unique_users, page_views, "
      + "add_to_carts, purchases, total_revenue_cents, top_products, top_categories, product_ids, product_counts, "
      + "category_names, category_counts, emitted_at) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) "
      + "INSERT INTO aggregated_outbox (window_id, payload) VALUES (?, ?)";

  static final String INSERT_DEAD_LETTER = "INSERT INTO dead_letter_events (source_topic, source_partition, "
      + "source_offset, error_reason, original_payload, payload_encoding, failed_at, failed_at_iso, "
      + "source_topic_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON CONFLICT (source_topic, source_partition, source_offset, source_topic_id) DO NOTHING";

  private XaSinks() {
  }

  static Sink<EventRow> events(JobSettings s) {
    return new DistinctXidSink<>(build(s, INSERT_EVENT, XaSinks::bindEvent), 1);
  }

  static Sink<WindowRow> windows(JobSettings s) {
    return new DistinctXidSink<>(build(s, INSERT_WINDOW, XaSinks::bindWindow), 2);
  }

  static Sink<DeadLetterRow> deadLetters(JobSettings s) {
    return new DistinctXidSink<>(build(s, INSERT_DEAD_LETTER, XaSinks::bindDeadLetter), 3);
  }

  private static <T> JdbcSink<T> build(JobSettings s, String sql, JdbcStatementBuilder<T> binder) {
    String url = s.jdbcUrl();
    String user = s.jdbcUser();
    String password = s.jdbcPassword();
    SerializableSupplier<XADataSource> dataSource = () -> {
      PGXADataSource ds = new PGXADataSource();
      ds.setUrl(url);
      ds.setUser(user);
      ds.setPassword(password);
      ds.setReWriteBatchedInserts(true);
      return ds;
    };
    return JdbcSink.<T>builder()
        .withQueryStatement(sql, binder)
        // Retries would replay a batch inside an XA branch; the connector requires 0 for exactly once.
        .withExecutionOptions(JdbcExecutionOptions.builder().withBatchSize(BATCH).withBatchIntervalMs(0)
            .withMaxRetries(0).build())
        .buildExactlyOnce(JdbcExactlyOnceOptions.builder().withTransactionPerConnection(true)
            // On a restart the connector would roll back every prepared transaction PostgreSQL lists, the other
            // sinks' too, including ones of a completed checkpoint still to be committed: off. Each writer still
            // settles the transactions its own restored state names.
            .withRecoveredAndRollback(false).build(), dataSource);
  }

  static void bindEvent(PreparedStatement ps, EventRow e) throws SQLException {
    ps.setString(1, e.eventId);
    ps.setString(2, e.eventType);
    ps.setLong(3, e.timestamp);
    ps.setString(4, e.userId);
    ps.setString(5, e.sessionId);
    ps.setString(6, e.productId);
    ps.setString(7, e.productCategory);
    setLong(ps, 8, e.priceCents);
    if (e.quantity == null) {
      ps.setNull(9, Types.INTEGER);
    } else {
      ps.setInt(9, e.quantity);
    }
    ps.setLong(10, e.revenueCents);
    ps.setString(11, e.searchQuery);
    ps.setString(12, e.pageUrl);
    ps.setString(13, e.referrer);
    ps.setString(14, e.userAgent);
    ps.setString(15, e.ipAddress);
    ps.setString(16, e.geoCountry);
    ps.setString(17, e.geoCity);
    ps.setShort(18, e.eventHour);
    ps.setBoolean(19, e.mobile);
  }

  static void bindWindow(PreparedStatement ps, WindowRow w) throws SQLException {
    var c = ps.getConnection();
    ps.setString(1, w.windowId);
    ps.setString(2, w.windowType);
    ps.setLong(3, w.windowStart);
    ps.setLong(4, w.windowEnd);
    ps.setInt(5, w.partition);
    ps.setString(6, w.userId);
    ps.setString(7, w.sessionId);
    ps.setLong(8, w.eventCount);
    ps.setLong(9, w.uniqueUsers);
    ps.setLong(10, w.pageViews);
    ps.setLong(11, w.addToCarts);
    ps.setLong(12, w.purchases);
    ps.setLong(13, w.totalRevenueCents);
    ps.setArray(14, c.createArrayOf("text", w.topProducts));
    ps.setArray(15, c.createArrayOf("text", w.topCategories));
    ps.setArray(16, c.createArrayOf("text", w.productIds));
    ps.setArray(17, c.createArrayOf("int8", w.productCounts));
    ps.setArray(18, c.createArrayOf("text", w.categoryNames));
    ps.setArray(19, c.createArrayOf("int8", w.categoryCounts));
    ps.setLong(20, w.emittedAt);
    ps.setString(21, w.windowId);
    ps.setBytes(22, w.message);
  }

  static void bindDeadLetter(PreparedStatement ps, DeadLetterRow d) throws SQLException {
    ps.setString(1, d.sourceTopic);
    ps.setInt(2, d.partition);
    ps.setLong(3, d.offset);
    ps.setString(4, d.reason);
    ps.setString(5, d.payload);
    ps.setString(6, d.payloadEncoding);
    ps.setLong(7, d.failedAt);
    ps.setString(8, d.failedAtIso);
    ps.setString(9, d.sourceTopicId);
  }

  private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }
}
