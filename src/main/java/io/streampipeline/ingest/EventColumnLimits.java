package io.streampipeline.ingest;

import io.streampipeline.event.ClickstreamEvent;

/**
 * The longest value each string field of an event may have, in Unicode code points (as PostgreSQL counts
 * VARCHAR(n) in a UTF-8 database), checked on the normalized event. The VARCHAR columns of clickstream_events
 * in the migrations (sql/migration) must say the same (a unit test compares them). user_agent, page_url,
 * referrer and search_query are TEXT in the table; their limits here bound the memory an event can take. The
 * order is the order of the checks, so it decides which reason an event with several long fields gets.
 */
public enum EventColumnLimits {
  EVENT_ID("event_id", 36),
  USER_ID("user_id", 50),
  SESSION_ID("session_id", 36),
  PRODUCT_ID("product_id", 50),
  PRODUCT_CATEGORY("product_category", 50),
  IP_ADDRESS("ip_address", 45),
  GEO_COUNTRY("geo_country", 8),
  GEO_CITY("geo_city", 100),
  USER_AGENT("user_agent", 1024),
  PAGE_URL("page_url", 2048),
  REFERRER("referrer", 2048),
  SEARCH_QUERY("search_query", 512);

  /** values() copies its array on every call; the checks run per event. */
  static final EventColumnLimits[] IN_CHECK_ORDER = values();

  private final String column;
  private final int maxLength;

  EventColumnLimits(String column, int maxLength) {
    this.column = column;
    this.maxLength = maxLength;
  }

  public String column() {
    return column;
  }

  public int maxLength() {
    return maxLength;
  }

  /** A switch rather than a function per constant: one call site for twelve lambdas would not be inlined. */
  String valueOf(ClickstreamEvent e) {
    return switch (this) {
      case EVENT_ID -> e.eventId();
      case USER_ID -> e.userId();
      case SESSION_ID -> e.sessionId();
      case PRODUCT_ID -> e.productId();
      case PRODUCT_CATEGORY -> e.productCategory();
      case IP_ADDRESS -> e.ipAddress();
      case GEO_COUNTRY -> e.geoCountry();
      case GEO_CITY -> e.geoCity();
      case USER_AGENT -> e.userAgent();
      case PAGE_URL -> e.pageUrl();
      case REFERRER -> e.referrer();
      case SEARCH_QUERY -> e.searchQuery();
    };
  }
}
