package io.streampipeline.sink;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The window rows of one statement as column arrays, in the order of {@link SinkSql#INSERT_WINDOWS} and
 * {@link SinkSql#UPSERT_WINDOWS}: one statement however many windows a checkpoint closes (with 200,000 users that
 * is thousands of sessions), instead of one execution per row. Public for the bench's {@code --sink-forms}.
 *
 * <p>A row's own arrays (top lists, tallies) cannot be an element of a column array — PostgreSQL has no ragged
 * arrays — so each travels as its array literal text ({@code {"a","b"}}) and is cast back per row.
 *
 * <p>The last column is each window's message for clickstream.aggregated, queued with it in aggregated_outbox.
 */
public final class WindowColumns {
  /** Encoding only, which is thread-safe (Avro's message encoder is); lanes build their statements in parallel. */
  private static final AggregatedCodec ENCODER = new AggregatedCodec();

  private WindowColumns() {
  }

  /**
   * One row per window_id, the last one of the list winning: an upsert cannot touch one row twice in a statement,
   * and run one by one the last would have won too.
   */
  public static Tuple of(List<WindowResult> windows) {
    Collection<WindowResult> rows = lastPerId(windows);
    int n = rows.size();
    String[] ids = new String[n];
    String[] types = new String[n];
    Long[] starts = new Long[n];
    Long[] ends = new Long[n];
    Integer[] partitions = new Integer[n];
    String[] users = new String[n];
    String[] sessions = new String[n];
    Long[] events = new Long[n];
    Long[] uniqueUsers = new Long[n];
    Long[] pageViews = new Long[n];
    Long[] addToCarts = new Long[n];
    Long[] purchases = new Long[n];
    Long[] revenues = new Long[n];
    String[] topProducts = new String[n];
    String[] topCategories = new String[n];
    String[] productIds = new String[n];
    String[] productCounts = new String[n];
    String[] categoryNames = new String[n];
    String[] categoryCounts = new String[n];
    Long[] emittedAt = new Long[n];
    Buffer[] messages = new Buffer[n];
    int i = 0;
    for (WindowResult w : rows) {
      ids[i] = w.windowId();
      types[i] = w.type().wireName();
      starts[i] = w.windowStart();
      ends[i] = w.windowEnd();
      partitions[i] = w.partition();
      users[i] = w.userId();
      sessions[i] = w.sessionId();
      events[i] = w.eventCount();
      uniqueUsers[i] = w.uniqueUsers();
      pageViews[i] = w.pageViews();
      addToCarts[i] = w.addToCarts();
      purchases[i] = w.purchases();
      revenues[i] = w.totalRevenueCents();
      topProducts[i] = textArray(w.topProducts().toArray(new String[0]));
      topCategories[i] = textArray(w.topCategories().toArray(new String[0]));
      productIds[i] = textArray(w.productIds());
      productCounts[i] = numberArray(w.productCounts());
      categoryNames[i] = textArray(w.categoryNames());
      categoryCounts[i] = numberArray(w.categoryCounts());
      emittedAt[i] = w.emittedAt();
      messages[i] = Buffer.buffer(ENCODER.encode(w));
      i++;
    }
    return Tuple.tuple()
        .addArrayOfString(ids).addArrayOfString(types).addArrayOfLong(starts).addArrayOfLong(ends)
        .addArrayOfInteger(partitions).addArrayOfString(users).addArrayOfString(sessions)
        .addArrayOfLong(events).addArrayOfLong(uniqueUsers).addArrayOfLong(pageViews).addArrayOfLong(addToCarts)
        .addArrayOfLong(purchases).addArrayOfLong(revenues)
        .addArrayOfString(topProducts).addArrayOfString(topCategories)
        .addArrayOfString(productIds).addArrayOfString(productCounts)
        .addArrayOfString(categoryNames).addArrayOfString(categoryCounts)
        .addArrayOfLong(emittedAt).addArrayOfBuffer(messages);
  }

  private static Collection<WindowResult> lastPerId(List<WindowResult> windows) {
    Map<String, WindowResult> byId = new HashMap<>();
    for (WindowResult w : windows) {
      byId.put(w.windowId(), w);
    }
    return byId.values();
  }

  /** PostgreSQL's array literal of these strings: every element quoted, {@code "} and {@code \} escaped. */
  static String textArray(String[] values) {
    StringBuilder out = new StringBuilder(2 + values.length * 16).append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"');
      String v = values[i];
      for (int c = 0; c < v.length(); c++) {
        char ch = v.charAt(c);
        if (ch == '"' || ch == '\\') {
          out.append('\\');
        }
        out.append(ch);
      }
      out.append('"');
    }
    return out.append('}').toString();
  }

  static String numberArray(long[] values) {
    StringBuilder out = new StringBuilder(2 + values.length * 4).append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(values[i]);
    }
    return out.append('}').toString();
  }
}
