package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.config.InputLimits;
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
  /** The Kafka record timestamp of the test messages: the base event's own time, as a live producer stamps it. */
  private static final long RECORD_TS = 1_700_000_000_000L;
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
    return reasonFor(processor, message, RECORD_TS);
  }

  private String reasonFor(RecordProcessor processor, byte[] message, long recordTimestampMs) {
    List<EnrichedEvent> stored = new ArrayList<>();
    List<DeadLetter> dlq = new ArrayList<>();
    processor.process(message, 2, 41, recordTimestampMs, stored, dlq);
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
    })), 0, 0, RECORD_TS, stored, dlq);
    assertEquals(1, stored.size());
    assertEquals(0, stored.get(0).revenueCents());
  }

  @Test
  void lengthsCountCodePointsLikePostgres() {
    String emoji36 = "😀".repeat(36);
    List<EnrichedEvent> stored = new ArrayList<>();
    processor.process(codec.encode(set(0, emoji36)), 0, 0, RECORD_TS, stored, new ArrayList<>());
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
      processor.process(codec.encode(set(12, agent)), 0, 0, RECORD_TS, stored, dlq);
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
    })), 3, 99, RECORD_TS, stored, new ArrayList<>());
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
    })), 0, 0, RECORD_TS, stored, new ArrayList<>());
    assertEquals("UNKNOWN", stored.get(0).event().geoCountry());
    assertNull(stored.get(0).event().searchQuery());
    assertFalse(stored.get(0).mobile());
  }

  private List<EnrichedEvent> storedFrom(RecordProcessor processor, ClickstreamEvent e, long recordTimestampMs) {
    List<EnrichedEvent> stored = new ArrayList<>();
    List<DeadLetter> dlq = new ArrayList<>();
    processor.process(codec.encode(e), 0, 0, recordTimestampMs, stored, dlq);
    assertEquals(List.of(), dlq, "no dead letter");
    assertEquals(1, stored.size(), "stored");
    return stored;
  }

  private double counted(String name, String tag, String value) {
    return metrics.registry().get(name).tag(tag, value).counter().count();
  }

  @Test
  void timestampTooFarAheadOfTheRecordTimestamp() {
    assertEquals("timestamp too far in the future: 1700000300001 is 300.001 s ahead of the Kafka record timestamp "
        + "1700000000000 (limit 300 s)", reasonFor(set(2, RECORD_TS + 300_001)));
    long aYearAhead = RECORD_TS + 365L * 24 * 3600 * 1000;
    assertEquals("timestamp too far in the future: 1731536000000 is 31536000 s ahead of the Kafka record timestamp "
        + "1700000000000 (limit 300 s)", reasonFor(set(2, aYearAhead)));
    assertEquals(2.0, counted("stream_pipeline_events_failed", "stage", "validate"));
    storedFrom(processor, set(2, RECORD_TS + 300_000), RECORD_TS);
    storedFrom(processor, set(2, RECORD_TS - 86_400_000L), RECORD_TS);
  }

  @Test
  void unknownRecordTimestampSkipsTheFutureCheck() {
    long aYearAhead = RECORD_TS + 365L * 24 * 3600 * 1000;
    storedFrom(processor, set(2, aYearAhead), 0);
    storedFrom(processor, set(2, aYearAhead), -1);
  }

  @Test
  void futureLimitComesFromTheSettings() {
    RecordProcessor strict = new RecordProcessor("clickstream.events", metrics, new InputLimits(65_536, 0));
    assertEquals("timestamp too far in the future: 1700000000001 is 0.001 s ahead of the Kafka record timestamp "
        + "1700000000000 (limit 0 s)", reasonFor(strict, codec.encode(set(2, RECORD_TS + 1)), RECORD_TS));
    storedFrom(strict, base(), RECORD_TS);
    RecordProcessor lenient = new RecordProcessor("clickstream.events", metrics, new InputLimits(65_536, 2_500));
    assertEquals("timestamp too far in the future: 1700000003000 is 3 s ahead of the Kafka record timestamp "
        + "1700000000000 (limit 2.5 s)", reasonFor(lenient, codec.encode(set(2, RECORD_TS + 3000)), RECORD_TS));
  }

  @Test
  void futureCheckComesAfterThePositiveTimestampAndBeforePurchaseChecksAndBots() {
    assertEquals("empty user_id", reasonFor(with(f -> {
      f[2] = RECORD_TS + 3_600_000L;
      f[3] = "";
      return f;
    })));
    assertTrue(reasonFor(with(f -> {
      f[2] = RECORD_TS + 3_600_000L;
      f[7] = -1L;
      return f;
    })).startsWith("timestamp too far in the future: "));
    assertTrue(reasonFor(with(f -> {
      f[2] = RECORD_TS + 3_600_000L;
      f[12] = "Googlebot/2.1";
      return f;
    })).startsWith("timestamp too far in the future: "), "a bot with a wrong clock is still a dead letter");
    assertEquals(0.0, metrics.totalBots());
  }

  @Test
  void messagesOverTheSizeLimitAreDeadLetteredBeforeDecoding() {
    byte[] oversized = new byte[65_537];
    byte[] valid = codec.encode(base());
    System.arraycopy(valid, 0, oversized, 0, valid.length);
    assertEquals("message of 65537 bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (65536)", reasonFor(oversized));
    assertEquals(1.0, counted("stream_pipeline_events_failed", "stage", "decode"), "counted as a decode failure");
    assertEquals(1.0, counted("stream_pipeline_events_consumed", "event_type", "undecodable"));
    assertEquals("bytes left over after a complete Avro body", reasonFor(Arrays.copyOf(oversized, 65_536)),
        "a message of exactly the limit is decoded");
    RecordProcessor small = new RecordProcessor("clickstream.events", metrics, new InputLimits(valid.length - 1,
        300_000));
    assertEquals("message of " + valid.length + " bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (" + (valid.length - 1)
        + ")", reasonFor(small, valid, RECORD_TS));
  }

  @Test
  void megabyteUserAgentGoesToTheDlq() {
    String agent = "Mozilla/5.0 " + "x".repeat(1_048_576 - 12);
    byte[] message = codec.encode(set(12, agent));
    assertEquals("message of " + message.length + " bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (65536)",
        reasonFor(message));
    RecordProcessor roomy = new RecordProcessor("clickstream.events", metrics, new InputLimits(4 << 20, 300_000));
    assertEquals("user_agent longer than 1024 characters (1048576)", reasonFor(roomy, message, RECORD_TS),
        "with a larger message limit the column limit still holds");
  }

  @Test
  void newColumnLimits() {
    assertEquals("user_agent longer than 1024 characters (1025)", reasonFor(set(12, "M".repeat(1025))));
    assertEquals("page_url longer than 2048 characters (2049)", reasonFor(set(10, "h".repeat(2049))));
    assertEquals("referrer longer than 2048 characters (2049)", reasonFor(set(11, "r".repeat(2049))));
    assertEquals("search_query longer than 512 characters (513)", reasonFor(set(9, "q".repeat(513))));
    assertEquals("user_agent longer than 1024 characters (1025)", reasonFor(with(f -> {
      f[12] = "😀".repeat(1025);
      f[10] = "h".repeat(2049);
      return f;
    })), "the older columns are checked first, then user_agent, page_url, referrer, search_query");
    ClickstreamEvent atTheLimits = with(f -> {
      f[12] = "😀".repeat(1024);
      f[10] = "h".repeat(2048);
      f[11] = "r".repeat(2048);
      f[9] = "q".repeat(512);
      return f;
    });
    EnrichedEvent e = storedFrom(processor, atTheLimits, RECORD_TS).get(0);
    assertEquals(512, e.event().searchQuery().length());
  }

  @Test
  void lengthsAreCheckedAfterNormalization() {
    assertEquals("geo_country longer than 8 characters (10)", reasonFor(set(14, "ßßßßß")),
        "5 characters as sent, but upper-cased to SSSSSSSSSS, which VARCHAR(8) refuses");
    assertEquals("SSSSSSSS", storedFrom(processor, set(14, "ßßßß"), RECORD_TS).get(0).event().geoCountry());
    assertEquals("DE", storedFrom(processor, set(14, "\u00a0   de    \t"), RECORD_TS).get(0).event().geoCountry(),
        "padding beyond 8 characters is stripped before the length is checked");
    assertEquals("search_query longer than 512 characters (600)", reasonFor(set(9, "\u0130".repeat(300))),
        "İ lower-cases to i plus a combining dot: 300 characters become 600");
    assertEquals("a".repeat(512), storedFrom(processor, set(9, "  " + "A".repeat(512) + "  "), RECORD_TS).get(0)
        .event().searchQuery());
  }

  @Test
  void userAgentCacheKeepsOnlyShortAgents() {
    UserAgentClassifier agents = new UserAgentClassifier();
    String longBot = "x".repeat(UserAgentClassifier.MAX_CACHED_LENGTH) + " Googlebot";
    assertEquals(UserAgentClassifier.BOT, agents.classify(longBot));
    assertEquals(UserAgentClassifier.MOBILE, agents.classify("y".repeat(100_000) + " Mobile"));
    assertEquals(0, agents.cachedAgents(), "long agents are classified but not kept");
    String shortMobile = "Mozilla/5.0 (iPhone)";
    assertEquals(UserAgentClassifier.MOBILE, agents.classify(shortMobile));
    assertEquals(UserAgentClassifier.MOBILE, agents.classify(shortMobile));
    assertEquals(1, agents.cachedAgents());
    for (int i = 0; i < 3 * UserAgentClassifier.CAPACITY; i++) {
      String agent = ("agent " + i + " ").repeat(40).substring(0, UserAgentClassifier.MAX_CACHED_LENGTH);
      assertEquals(0, agents.classify(agent));
      assertTrue(agents.cachedAgents() <= UserAgentClassifier.CAPACITY);
    }
    assertTrue(agents.cachedChars() <= (long) UserAgentClassifier.CAPACITY * UserAgentClassifier.MAX_CACHED_LENGTH);
  }
}
