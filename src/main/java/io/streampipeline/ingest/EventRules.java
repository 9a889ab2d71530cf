package io.streampipeline.ingest;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import java.util.Locale;

/**
 * The processing rules of docs/design.md#processing-rules, steps 2 to 5 (decoding is step 1): validate, filter
 * bots, normalize, enrich. Pure functions, no state: the order of the checks decides which reason an event gets.
 */
public final class EventRules {
  private static final String[] BOT_MARKERS = {"bot", "crawler", "spider", "scrapy", "curl", "wget", "httpx"};
  private static final String[] MOBILE_MARKERS = {"mobile", "iphone", "android", "ipad"};
  private static final long HOUR_MS = 3_600_000L;

  private EventRules() {
  }

  /** @return null when the event is valid, else the DLQ reason */
  public static String invalidReason(ClickstreamEvent e) {
    if (e.eventId().isEmpty()) {
      return "empty event_id";
    }
    if (e.userId().isEmpty()) {
      return "empty user_id";
    }
    if (e.sessionId().isEmpty()) {
      return "empty session_id";
    }
    if (e.pageUrl().isEmpty()) {
      return "empty page_url";
    }
    if (e.userAgent().isEmpty()) {
      return "empty user_agent";
    }
    if (e.ipAddress().isEmpty()) {
      return "empty ip_address";
    }
    if (e.timestamp() <= 0) {
      return "timestamp must be positive, was " + e.timestamp();
    }
    if (e.eventType() == EventType.PURCHASE) {
      String purchaseProblem = purchaseProblem(e);
      if (purchaseProblem != null) {
        return purchaseProblem;
      }
    }
    String tooLong = firstTooLong(e);
    if (tooLong != null) {
      return tooLong;
    }
    return firstWithNul(e);
  }

  private static String purchaseProblem(ClickstreamEvent e) {
    if (e.priceCents() == null) {
      return "purchase without price_cents";
    }
    if (e.priceCents() < 0) {
      return "purchase with negative price_cents " + e.priceCents();
    }
    if (e.quantity() == null) {
      return "purchase without quantity";
    }
    if (e.quantity() <= 0) {
      return "purchase with non-positive quantity " + e.quantity();
    }
    try {
      Math.multiplyExact(e.priceCents(), (long) e.quantity());
    } catch (ArithmeticException overflow) {
      return "purchase revenue price_cents x quantity overflows a bigint";
    }
    return null;
  }

  private static String firstTooLong(ClickstreamEvent e) {
    String problem = tooLong("event_id", e.eventId(), 36);
    if (problem == null) {
      problem = tooLong("user_id", e.userId(), 50);
    }
    if (problem == null) {
      problem = tooLong("session_id", e.sessionId(), 36);
    }
    if (problem == null) {
      problem = tooLong("product_id", e.productId(), 50);
    }
    if (problem == null) {
      problem = tooLong("product_category", e.productCategory(), 50);
    }
    if (problem == null) {
      problem = tooLong("ip_address", e.ipAddress(), 45);
    }
    if (problem == null) {
      problem = tooLong("geo_country", e.geoCountry(), 8);
    }
    if (problem == null) {
      problem = tooLong("geo_city", e.geoCity(), 100);
    }
    return problem;
  }

  /** Lengths in Unicode code points, as PostgreSQL counts VARCHAR(n) in a UTF-8 database. */
  private static String tooLong(String field, String value, int max) {
    if (value == null || value.length() <= max) {
      return null;
    }
    int codePoints = value.codePointCount(0, value.length());
    return codePoints > max ? field + " longer than " + max + " characters (" + codePoints + ")" : null;
  }

  private static String firstWithNul(ClickstreamEvent e) {
    // Field by field, in column order, without building an array per event (this runs for every event).
    String field = hasNul(e.eventId()) ? "event_id"
        : hasNul(e.userId()) ? "user_id"
        : hasNul(e.sessionId()) ? "session_id"
        : hasNul(e.productId()) ? "product_id"
        : hasNul(e.productCategory()) ? "product_category"
        : hasNul(e.searchQuery()) ? "search_query"
        : hasNul(e.pageUrl()) ? "page_url"
        : hasNul(e.referrer()) ? "referrer"
        : hasNul(e.userAgent()) ? "user_agent"
        : hasNul(e.ipAddress()) ? "ip_address"
        : hasNul(e.geoCountry()) ? "geo_country"
        : hasNul(e.geoCity()) ? "geo_city"
        : null;
    return field == null ? null : "NUL character in " + field;
  }

  private static boolean hasNul(String value) {
    return value != null && value.indexOf('\0') >= 0;
  }

  public static boolean isBot(String userAgent) {
    return containsAnyIgnoreCase(userAgent, BOT_MARKERS);
  }

  public static boolean isMobile(String userAgent) {
    return containsAnyIgnoreCase(userAgent, MOBILE_MARKERS);
  }

  /**
   * Normalize (docs/design.md#4-normalize): geo_country stripped and upper-cased ("UNKNOWN" when empty);
   * search_query stripped, lower-cased, null when empty.
   */
  public static ClickstreamEvent normalize(ClickstreamEvent e) {
    String country = stripUnicode(e.geoCountry()).toUpperCase(Locale.ROOT);
    if (country.isEmpty()) {
      country = "UNKNOWN";
    }
    String query = e.searchQuery() == null ? null : stripUnicode(e.searchQuery()).toLowerCase(Locale.ROOT);
    if (query != null && query.isEmpty()) {
      query = null;
    }
    if (country.equals(e.geoCountry()) && java.util.Objects.equals(query, e.searchQuery())) {
      return e;
    }
    return e.withNormalized(country, query);
  }

  /** Enrich (docs/design.md#5-enrich): revenue for purchases, the UTC hour, whether the user agent is mobile. */
  public static EnrichedEvent enrich(ClickstreamEvent e, int partition, long offset) {
    return enrich(e, isMobile(e.userAgent()), partition, offset);
  }

  /** Enrich with the mobile flag already known (see {@link UserAgentClassifier}). */
  public static EnrichedEvent enrich(ClickstreamEvent e, boolean mobile, int partition, long offset) {
    long revenue = e.eventType() == EventType.PURCHASE ? e.priceCents() * e.quantity() : 0L;
    int hour = (int) ((e.timestamp() / HOUR_MS) % 24);
    return new EnrichedEvent(e, revenue, hour, mobile, partition, offset);
  }

  /** Strips what Python's str.strip() strips: Unicode white space, including no-break spaces. */
  static String stripUnicode(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isUnicodeSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isUnicodeSpace(s.charAt(end - 1))) {
      end--;
    }
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  private static boolean isUnicodeSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  private static boolean containsAnyIgnoreCase(String text, String[] markers) {
    String lower = text.toLowerCase(Locale.ROOT);
    for (String marker : markers) {
      if (lower.contains(marker)) {
        return true;
      }
    }
    return false;
  }
}
