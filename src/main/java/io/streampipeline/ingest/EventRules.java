package io.streampipeline.ingest;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import java.util.Locale;

/**
 * The processing rules after decoding (docs/design.md#processing-rules): validate, filter bots, normalize, enrich. Validation looks at the
 * normalized event, so normalizing runs first, but an invalid event's dead letter holds the bytes as received.
 * Pure functions, no state: the order of the checks decides which reason an event gets.
 */
public final class EventRules {
  private static final String[] BOT_MARKERS = {"bot", "crawler", "spider", "scrapy", "curl", "wget", "httpx"};
  private static final String[] MOBILE_MARKERS = {"mobile", "iphone", "android", "ipad"};
  private static final long HOUR_MS = 3_600_000L;

  private EventRules() {
  }

  /**
   * The validation rules for an event as decoded: it is normalized first, as the processor does, and its Kafka
   * record timestamp is unknown, so the future check is skipped.
   *
   * @return null when the event is valid, else the DLQ reason
   */
  public static String invalidReason(ClickstreamEvent e) {
    return invalidReason(normalize(e), 0L, 0L);
  }

  /**
   * The validation rules, in order. Lengths are checked on the normalized event, because that is what is stored:
   * upper-casing can lengthen a value ({@code ß} becomes {@code SS}).
   *
   * @param e the event after {@link #normalize}
   * @param recordTimestampMs the Kafka record's timestamp; 0 or less when unknown, which skips the future check
   * @param maxFutureMs how far the event's timestamp may be ahead of the record's
   * @return null when the event is valid, else the DLQ reason
   */
  public static String invalidReason(ClickstreamEvent e, long recordTimestampMs, long maxFutureMs) {
    // The NOT NULL columns of clickstream_events (EventTableConstraintsIT reads them from the catalog): the decoder
    // never leaves them out, but a row PostgreSQL refuses would be counted in windows before it is refused.
    if (e.eventType() == null) {
      return "missing event_type";
    }
    String missing = required("event_id", e.eventId());
    if (missing == null) {
      missing = required("user_id", e.userId());
    }
    if (missing == null) {
      missing = required("session_id", e.sessionId());
    }
    if (missing == null) {
      missing = required("page_url", e.pageUrl());
    }
    if (missing == null) {
      missing = required("user_agent", e.userAgent());
    }
    if (missing == null) {
      missing = required("ip_address", e.ipAddress());
    }
    if (missing != null) {
      return missing;
    }
    if (e.timestamp() <= 0) {
      return "timestamp must be positive, was " + e.timestamp();
    }
    // One wrong clock must not move the partition's watermark for good. The record timestamp is in the log,
    // so a replay decides as the live run did.
    if (recordTimestampMs > 0 && e.timestamp() - recordTimestampMs > maxFutureMs) {
      return "timestamp too far in the future: " + e.timestamp() + " is " + seconds(e.timestamp() - recordTimestampMs)
          + " s ahead of the Kafka record timestamp " + recordTimestampMs + " (limit " + seconds(maxFutureMs) + " s)";
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

  private static String required(String field, String value) {
    return value == null ? "missing " + field : value.isEmpty() ? "empty " + field : null;
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
    for (EventColumnLimits limit : EventColumnLimits.IN_CHECK_ORDER) {
      String problem = tooLong(limit.column(), limit.valueOf(e), limit.maxLength());
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** Whole seconds as an integer, else with milliseconds: 300, 300.5. */
  private static String seconds(long millis) {
    return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
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
   * geo_country stripped and upper-cased ("UNKNOWN" when empty or missing); search_query stripped, lower-cased,
   * null when empty. Runs before validation, which checks the lengths of what is stored.
   */
  public static ClickstreamEvent normalize(ClickstreamEvent e) {
    String country = e.geoCountry() == null ? "" : stripUnicode(e.geoCountry()).toUpperCase(Locale.ROOT);
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
    return enrich(e, mobile, partition, offset, null);
  }

  /** Step 5 for an event read from Kafka: {@code original} is the message as read, kept for the DLQ. */
  public static EnrichedEvent enrich(ClickstreamEvent e, boolean mobile, int partition, long offset,
      byte[] original) {
    long revenue = e.eventType() == EventType.PURCHASE ? e.priceCents() * e.quantity() : 0L;
    int hour = (int) ((e.timestamp() / HOUR_MS) % 24);
    return new EnrichedEvent(e, revenue, hour, mobile, partition, offset, original, null);
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
