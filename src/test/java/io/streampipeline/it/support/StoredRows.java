package io.streampipeline.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** A clickstream_events row against the event it came from, with the normalization and enrichment rules applied by hand. */
public final class StoredRows {
  private static final Pattern EDGE_SPACE = Pattern.compile("^[\\s\\p{Z}]+|[\\s\\p{Z}]+$",
      Pattern.UNICODE_CHARACTER_CLASS);

  private StoredRows() {
  }

  public static void assertMatches(ClickstreamEvent e, Map<String, Object> row) {
    String id = e.eventId();
    assertEquals(e.eventId(), row.get("event_id"));
    assertEquals(e.eventType().wireName(), row.get("event_type"), id);
    assertEquals(e.timestamp(), row.get("event_timestamp_ms"), id);
    assertEquals(e.userId(), row.get("user_id"), id);
    assertEquals(e.sessionId(), row.get("session_id"), id);
    assertEquals(e.productId(), row.get("product_id"), id);
    assertEquals(e.productCategory(), row.get("product_category"), id);
    assertEquals(e.priceCents(), row.get("price_cents"), id);
    assertEquals(e.quantity(), row.get("quantity"), id);
    assertEquals(e.pageUrl(), row.get("page_url"), id);
    assertEquals(e.referrer(), row.get("referrer"), id);
    assertEquals(e.userAgent(), row.get("user_agent"), id);
    assertEquals(e.ipAddress(), row.get("ip_address"), id);
    assertEquals(e.geoCity(), row.get("geo_city"), id);
    String country = EDGE_SPACE.matcher(e.geoCountry()).replaceAll("").toUpperCase(Locale.ROOT);
    assertEquals(country.isEmpty() ? "UNKNOWN" : country, row.get("geo_country"), id);
    String query = e.searchQuery() == null ? null
        : EDGE_SPACE.matcher(e.searchQuery()).replaceAll("").toLowerCase(Locale.ROOT);
    assertEquals(query == null || query.isEmpty() ? null : query, row.get("search_query"), id);
    long revenue = e.eventType() == EventType.PURCHASE ? e.priceCents() * e.quantity() : 0;
    assertEquals(revenue, row.get("revenue_cents"), id);
    assertEquals(Instant.ofEpochMilli(e.timestamp()).atZone(ZoneOffset.UTC).getHour(),
        ((Number) row.get("event_hour")).intValue(), id);
    String agent = e.userAgent().toLowerCase(Locale.ROOT);
    boolean mobile = agent.contains("mobile") || agent.contains("iphone") || agent.contains("android")
        || agent.contains("ipad");
    assertEquals(mobile, row.get("is_mobile"), id);
    assertNotNull(row.get("ingested_at"));
  }
}
