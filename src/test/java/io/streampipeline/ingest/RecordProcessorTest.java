package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The processing rules of docs/design.md#processing-rules, one case per rule, each with its exact DLQ reason. */
class RecordProcessorTest {
  private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
  private final RecordProcessor processor = new RecordProcessor("clickstream.events", metrics);
  private final ClickstreamCodec codec = new ClickstreamCodec();

  static ClickstreamEvent base() {
    return new ClickstreamEvent("0b6c1f9e-2a3d-4e5f-8a9b-1c2d3e4f5a6b", EventType.PURCHASE, 1_700_000_000_000L,
        "user_000001", "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "prod_00001", "books", 1250L, 3, null,
        "https://shop.example/checkout", null, "Mozilla/5.0 (X11; Linux x86_64)", "192.0.2.10", " us ", null);
  }

  private static ClickstreamEvent with(UnaryOperator<Object[]> change) {
    ClickstreamEvent b = base();
    Object[] f = {b.eventId(), b.eventType(), b.timestamp(), b.userId(), b.sessionId(), b.productId(),
        b.productCategory(), b.priceCents(), b.quantity(), b.searchQuery(), b.pageUrl(), b.referrer(),
        b.userAgent(), b.ipAddress(), b.geoCountry(), b.geoCity()};
    f = change.apply(f);
    return new ClickstreamEvent((String) f[0], (EventType) f[1], (Long) f[2], (String) f[3], (String) f[4],
        (String) f[5], (String) f[6], (Long) f[7], (Integer) f[8], (String) f[9], (String) f[10], (String) f[11],
        (String) f[12], (String) f[13], (String) f[14], (String) f[15]);
  }

  private static ClickstreamEvent set(int field, Object value) {
    return with(f -> {
      f[field] = value;
      return f;
    });
  }

  private String reasonFor(byte[] message) {
    List<EnrichedEvent> stored = new ArrayList<>();
    List<DeadLetter> dlq = new ArrayList<>();
    processor.process(message, 2, 41, stored, dlq);
    assertTrue(stored.isEmpty(), "nothing stored");
    assertEquals(1, dlq.size(), "one dead letter");
    DeadLetter d = dlq.get(0);
    assertEquals("clickstream.events", d.sourceTopic());
    assertEquals(2, d.partition());
    assertEquals(41, d.offset());
    assertArrayEquals(message, d.payload());
    return d.reason();
  }

  private String reasonFor(ClickstreamEvent e) {
    return reasonFor(codec.encode(e));
  }

  private static void assertArrayEquals(byte[] a, byte[] b) {
    assertTrue(Arrays.equals(a, b), "payload kept as received");
  }

  @Test
  void undecodableInputs() {
    assertEquals("empty message", reasonFor(new byte[0]));
    byte[] full = codec.encode(base());
    assertEquals("truncated Avro body in page_url", reasonFor(Arrays.copyOf(full, full.length - 60)));
    assertEquals("truncated single-object header", reasonFor(new byte[] {(byte) 0xC3, 0x01, 0x02}));
    byte[] unknown = full.clone();
    unknown[2] ^= 0x55;
    assertTrue(reasonFor(unknown).startsWith("unknown schema fingerprint "));
    byte[] leftover = Arrays.copyOf(codec.encodeSchemaless(base()), codec.encodeSchemaless(base()).length + 3);
    assertEquals("bytes left over after a complete Avro body", reasonFor(leftover));
  }

  @Test
  void emptyRequiredStrings() {
    assertEquals("empty event_id", reasonFor(set(0, "")));
    assertEquals("empty user_id", reasonFor(set(3, "")));
    assertEquals("empty session_id", reasonFor(set(4, "")));
    assertEquals("empty page_url", reasonFor(set(10, "")));
    assertEquals("empty user_agent", reasonFor(set(12, "")));
    assertEquals("empty ip_address", reasonFor(set(13, "")));
  }

  @Test
  void timestampMustBePositive() {
    assertEquals("timestamp must be positive, was 0", reasonFor(set(2, 0L)));
    assertEquals("timestamp must be positive, was -5", reasonFor(set(2, -5L)));
  }

  @Test
  void purchaseChecks() {
    assertEquals("purchase without price_cents", reasonFor(set(7, null)));
    assertEquals("purchase with negative price_cents -1", reasonFor(set(7, -1L)));
    assertEquals("purchase without quantity", reasonFor(set(8, null)));
    assertEquals("purchase with non-positive quantity 0", reasonFor(set(8, 0)));
    assertEquals("purchase with non-positive quantity -2", reasonFor(set(8, -2)));
    assertEquals("purchase revenue price_cents x quantity overflows a bigint",
        reasonFor(with(f -> {
          f[7] = Long.MAX_VALUE / 2;
          f[8] = 3;
          return f;
        })));
  }

  @Test
  void otherTypesAreNotCheckedForPriceOrQuantity() {
    List<EnrichedEvent> stored = new ArrayList<>();
    List<DeadLetter> dlq = new ArrayList<>();
    processor.process(codec.encode(with(f -> {
      f[1] = EventType.ADD_TO_CART;
      f[7] = -10L;
      f[8] = 0;
      return f;
    })), 0, 0, stored, dlq);
    assertEquals(1, stored.size());
    assertEquals(0, stored.get(0).revenueCents());
  }

  @Test
  void lengthsCountCodePointsLikePostgres() {
    String emoji36 = "😀".repeat(36);
    List<EnrichedEvent> stored = new ArrayList<>();
    processor.process(codec.encode(set(0, emoji36)), 0, 0, stored, new ArrayList<>());
    assertEquals(1, stored.size(), "36 code points fit VARCHAR(36) although they are 72 UTF-16 units");
    assertEquals("event_id longer than 36 characters (37)", reasonFor(set(0, "x".repeat(37))));
    assertEquals("user_id longer than 50 characters (51)", reasonFor(set(3, "é".repeat(51))));
    assertEquals("session_id longer than 36 characters (40)", reasonFor(set(4, "s".repeat(40))));
    assertEquals("product_id longer than 50 characters (51)", reasonFor(set(5, "p".repeat(51))));
    assertEquals("product_category longer than 50 characters (51)", reasonFor(set(6, "c".repeat(51))));
    assertEquals("ip_address longer than 45 characters (46)", reasonFor(set(13, "1".repeat(46))));
    assertEquals("geo_country longer than 8 characters (9)", reasonFor(set(14, "ABCDEFGHI")));
    assertEquals("geo_city longer than 100 characters (101)", reasonFor(set(15, "z".repeat(101))));
  }

  @Test
  void nulCharacterAnywhere() {
    assertEquals("NUL character in page_url", reasonFor(set(10, "https://x/\0")));
    assertEquals("NUL character in search_query", reasonFor(set(9, "a\0b")));
    assertEquals("NUL character in geo_city", reasonFor(set(15, "Ber\0lin")));
  }

  @Test
  void invalidBeatsBot() {
    assertEquals("empty user_id", reasonFor(with(f -> {
      f[3] = "";
      f[12] = "Googlebot/2.1";
      return f;
    })));
  }

  @Test
  void botsAreDroppedAndCountedNotDlqd() {
    for (String agent : List.of("Googlebot/2.1", "AhrefsBot", "my-CRAWLER", "Spider", "Scrapy/2.11",
        "curl/8.4.0", "Wget/1.21", "python-httpx/0.27")) {
      List<EnrichedEvent> stored = new ArrayList<>();
      List<DeadLetter> dlq = new ArrayList<>();
      processor.process(codec.encode(set(12, agent)), 0, 0, stored, dlq);
      assertTrue(stored.isEmpty() && dlq.isEmpty(), agent);
    }
    assertEquals(8.0, metrics.totalBots());
  }

  @Test
  void normalizeAndEnrich() {
    List<EnrichedEvent> stored = new ArrayList<>();
    processor.process(codec.encode(with(f -> {
      f[14] = "\u00a0 gb\t";
      f[9] = "  Red SHOES\u2003";
      f[12] = "Mozilla/5.0 (Linux; Android 14) Mobile";
      return f;
    })), 3, 99, stored, new ArrayList<>());
    EnrichedEvent e = stored.get(0);
    assertEquals("GB", e.event().geoCountry());
    assertEquals("red shoes", e.event().searchQuery());
    assertEquals(3750, e.revenueCents());
    assertEquals(22, e.eventHour(), "1_700_000_000_000 ms is 22:13 UTC");
    assertTrue(e.mobile());
    assertEquals(3, e.partition());
    assertEquals(99, e.offset());
  }

  @Test
  void emptyCountryBecomesUnknownAndBlankQueryNull() {
    List<EnrichedEvent> stored = new ArrayList<>();
    processor.process(codec.encode(with(f -> {
      f[14] = "   ";
      f[9] = " \t ";
      return f;
    })), 0, 0, stored, new ArrayList<>());
    assertEquals("UNKNOWN", stored.get(0).event().geoCountry());
    assertNull(stored.get(0).event().searchQuery());
    assertFalse(stored.get(0).mobile());
  }
}
