package io.streampipeline.ingest;

import io.streampipeline.event.ClickstreamEvent;
import java.util.function.Function;

/**
 * The longest value each string field of an event may have, in Unicode code points (as PostgreSQL counts
 * VARCHAR(n) in a UTF-8 database), checked on the normalized event. The VARCHAR columns of clickstream_events
 * in sql/init.sql must say the same (a unit test compares them). user_agent, page_url, referrer and
 * search_query are TEXT in the table; their limits here bound the memory an event can take. The order is the
 * order of the checks, so it decides which reason an event with several long fields gets.
 */
public enum EventColumnLimits {
  EVENT_ID("event_id", 36, ClickstreamEvent::eventId),
  USER_ID("user_id", 50, ClickstreamEvent::userId),
  SESSION_ID("session_id", 36, ClickstreamEvent::sessionId),
  PRODUCT_ID("product_id", 50, ClickstreamEvent::productId),
  PRODUCT_CATEGORY("product_category", 50, ClickstreamEvent::productCategory),
  IP_ADDRESS("ip_address", 45, ClickstreamEvent::ipAddress),
  GEO_COUNTRY("geo_country", 8, ClickstreamEvent::geoCountry),
  GEO_CITY("geo_city", 100, ClickstreamEvent::geoCity),
  USER_AGENT("user_agent", 1024, ClickstreamEvent::userAgent),
  PAGE_URL("page_url", 2048, ClickstreamEvent::pageUrl),
  REFERRER("referrer", 2048, ClickstreamEvent::referrer),
  SEARCH_QUERY("search_query", 512, ClickstreamEvent::searchQuery);

  /** values() copies its array on every call; the checks run per event. */
  static final EventColumnLimits[] IN_CHECK_ORDER = values();

  private final String column;
  private final int maxLength;
  private final Function<ClickstreamEvent, String> field;

  EventColumnLimits(String column, int maxLength, Function<ClickstreamEvent, String> field) {
    this.column = column;
    this.maxLength = maxLength;
    this.field = field;
  }

  public String column() {
    return column;
  }

  public int maxLength() {
    return maxLength;
  }

  String valueOf(ClickstreamEvent event) {
    return field.apply(event);
  }
}
