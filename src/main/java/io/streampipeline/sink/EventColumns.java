package io.streampipeline.sink;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one statement as 19 column arrays, in the order of {@link SinkSql#INSERT_EVENTS}. Public for the
 * bench's {@code --sink-forms}, which measures the sink's own row building.
 */
public final class EventColumns {
  private EventColumns() {
  }

  /**
   * Events per INSERT statement of one checkpoint: a large checkpoint goes in a few statements, pipelined, so that
   * PostgreSQL inserts one chunk while the sink's thread encodes the next (sink/CheckpointWriter). Small enough
   * that the encoding of the first chunk, which nothing hides, is short; large enough that the per-statement cost
   * stays small against the rows.
   */
  static final int CHUNK = 2_000;

  /** The rows in statements of {@code size}, the last one taking the rest, up to twice that; in their order. */
  static <T> List<List<T>> chunks(List<T> rows, int size) {
    int n = rows.size();
    List<List<T>> chunks = new ArrayList<>();
    int from = 0;
    while (n - from >= 2 * size) {
      chunks.add(rows.subList(from, from + size));
      from += size;
    }
    chunks.add(rows.subList(from, n));
    return chunks;
  }

  public static Tuple of(List<EnrichedEvent> events) {
    return of(events, null, 0);
  }

  /**
   * The same, also copying each event's time into {@code eventTimes} from index {@code from} on (when not null):
   * this loop reads every event anyway, and a later pass over the events for their times would find them out of
   * the cache.
   */
  static Tuple of(List<EnrichedEvent> events, long[] eventTimes, int from) {
    int n = events.size();
    String[] ids = new String[n];
    String[] types = new String[n];
    Long[] timestamps = new Long[n];
    String[] users = new String[n];
    String[] sessions = new String[n];
    String[] products = new String[n];
    String[] categories = new String[n];
    Long[] prices = new Long[n];
    Integer[] quantities = new Integer[n];
    Long[] revenues = new Long[n];
    String[] queries = new String[n];
    String[] urls = new String[n];
    String[] referrers = new String[n];
    String[] agents = new String[n];
    String[] ips = new String[n];
    String[] countries = new String[n];
    String[] cities = new String[n];
    Short[] hours = new Short[n];
    Boolean[] mobile = new Boolean[n];
    for (int i = 0; i < n; i++) {
      EnrichedEvent row = events.get(i);
      ClickstreamEvent e = row.event();
      ids[i] = e.eventId();
      types[i] = e.eventType().wireName();
      long time = e.timestamp();
      timestamps[i] = time;
      if (eventTimes != null) {
        eventTimes[from + i] = time;
      }
      users[i] = e.userId();
      sessions[i] = e.sessionId();
      products[i] = e.productId();
      categories[i] = e.productCategory();
      prices[i] = e.priceCents();
      quantities[i] = e.quantity();
      revenues[i] = row.revenueCents();
      queries[i] = e.searchQuery();
      urls[i] = e.pageUrl();
      referrers[i] = e.referrer();
      agents[i] = e.userAgent();
      ips[i] = e.ipAddress();
      countries[i] = e.geoCountry();
      cities[i] = e.geoCity();
      hours[i] = (short) row.eventHour();
      mobile[i] = row.mobile();
    }
    return Tuple.tuple()
        .addArrayOfString(ids).addArrayOfString(types).addArrayOfLong(timestamps).addArrayOfString(users)
        .addArrayOfString(sessions).addArrayOfString(products).addArrayOfString(categories).addArrayOfLong(prices)
        .addArrayOfInteger(quantities).addArrayOfLong(revenues).addArrayOfString(queries).addArrayOfString(urls)
        .addArrayOfString(referrers).addArrayOfString(agents).addArrayOfString(ips).addArrayOfString(countries)
        .addArrayOfString(cities).addArrayOfShort(hours).addArrayOfBoolean(mobile);
  }
}
