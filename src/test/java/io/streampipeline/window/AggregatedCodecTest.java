package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AggregatedCodecTest {
  private final AggregatedCodec codec = new AggregatedCodec();

  @Test
  void theV1SchemaKeepsItsFingerprint() {
    assertEquals("cc689e0d239d7522", AggregatedCodec.fingerprintHex(AggregatedCodec.V1_FINGERPRINT));
    assertEquals("cc689e0d239d7522", ClickstreamCodec.fingerprintHex(
        SchemaNormalization.parsingFingerprint64(ClickstreamCodec.loadSchema("avro/aggregated.v1.avsc"))));
    System.out.println("aggregated v2 fingerprint " + AggregatedCodec.fingerprintHex(AggregatedCodec.V2_FINGERPRINT));
  }

  @Test
  void v2IsV1WithFieldsAppendedWithDefaults() {
    List<Schema.Field> v1 = AggregatedCodec.V1.getFields();
    List<Schema.Field> v2 = AggregatedCodec.V2.getFields();
    assertEquals(v1.size() + 5, v2.size());
    for (int i = 0; i < v1.size(); i++) {
      assertEquals(v1.get(i).name(), v2.get(i).name());
      assertEquals(v1.get(i).schema(), v2.get(i).schema());
    }
    assertEquals(List.of("source_partition", "user_id", "session_id", "top_product_counts", "top_category_counts"),
        v2.subList(v1.size(), v2.size()).stream().map(Schema.Field::name).toList());
    v2.subList(v1.size(), v2.size()).forEach(f -> assertEquals(true, f.hasDefaultValue(), f.name()));
    assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, SchemaCompatibility
        .checkReaderWriterCompatibility(AggregatedCodec.V2, AggregatedCodec.V1).getType());
    assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, SchemaCompatibility
        .checkReaderWriterCompatibility(AggregatedCodec.V1, AggregatedCodec.V2).getType());
  }

  @Test
  void aTumblingWindowRoundTripsAsSingleObjectV2() throws DecodeException {
    WindowResult window = new WindowResult(WindowIds.tumbling(WindowType.REVENUE_PER_5MIN, T0, 2),
        WindowType.REVENUE_PER_5MIN, T0, T0 + 300_000, 2, null, null, 40, 12, 20, 8, 3, 12_345,
        List.of("p1", "p2"), List.of("books"), new String[] {"p1", "p2"}, new long[] {5, 4},
        new String[] {"books"}, new long[] {9}, T0 + 301_000);
    byte[] message = codec.encode(window);
    assertEquals((byte) 0xC3, message[0]);
    assertEquals((byte) 0x01, message[1]);
    assertArrayEquals(ClickstreamCodec.singleObjectHeader(AggregatedCodec.V2_FINGERPRINT),
        Arrays.copyOf(message, 10));
    assertEquals(TestEvents.describe(window), TestEvents.describe(codec.decode(message)));
  }

  @Test
  void aSessionRoundTripsWithOnlyItsTopListsAndTheirCounts() throws DecodeException {
    String[] products = {"p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12"};
    long[] counts = {12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    WindowResult session = new WindowResult(WindowIds.session(T0, 1, "user-1", "sess-1"),
        WindowType.SESSION_SUMMARY, T0, T0 + 90_000, 1, "user-1", "sess-1", 78, 1, 70, 5, 3, 999,
        List.of(Arrays.copyOf(products, 10)), List.of(), products, counts, new String[0], new long[0], 5);
    WindowResult decoded = codec.decode(codec.encode(session));
    assertEquals("user-1", decoded.userId());
    assertEquals("sess-1", decoded.sessionId());
    assertEquals(1, decoded.partition());
    assertEquals(session.topProducts(), decoded.topProducts());
    assertArrayEquals(Arrays.copyOf(products, 10), decoded.productIds());
    assertArrayEquals(Arrays.copyOf(counts, 10), decoded.productCounts());
    assertEquals(78, decoded.eventCount());
  }

  @Test
  void aV1RecordDecodesWithTheNewFieldsDefaulted() throws Exception {
    GenericRecord v1 = new GenericData.Record(AggregatedCodec.V1);
    v1.put("window_id", "6b1f4a52-0000-3000-8000-000000000000");
    v1.put("window_type", new GenericData.EnumSymbol(AggregatedCodec.V1.getField("window_type").schema(),
        "events_per_minute"));
    v1.put("window_start", T0);
    v1.put("window_end", T0 + 60_000);
    v1.put("event_count", 7L);
    v1.put("unique_users", 3L);
    v1.put("page_views", 4L);
    v1.put("add_to_carts", 2L);
    v1.put("purchases", 1L);
    v1.put("total_revenue_cents", 1_500L);
    v1.put("top_products", List.of("p9", "p1"));
    v1.put("top_categories", List.of("toys"));
    v1.put("emitted_at", T0 + 61_000);
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), AggregatedCodec.V1).encode(v1);
    byte[] message = Arrays.copyOf(encoded.array(), encoded.limit());
    assertArrayEquals(ClickstreamCodec.singleObjectHeader(AggregatedCodec.V1_FINGERPRINT),
        Arrays.copyOf(message, 10));

    WindowResult r = codec.decode(message);
    assertEquals("6b1f4a52-0000-3000-8000-000000000000", r.windowId());
    assertEquals(WindowType.EVENTS_PER_MINUTE, r.type());
    assertEquals(List.of(T0, T0 + 60_000, 7L, 3L, 4L, 2L, 1L, 1_500L, T0 + 61_000), List.of(r.windowStart(),
        r.windowEnd(), r.eventCount(), r.uniqueUsers(), r.pageViews(), r.addToCarts(), r.purchases(),
        r.totalRevenueCents(), r.emittedAt()));
    assertEquals(List.of("p9", "p1"), r.topProducts());
    assertEquals(List.of("toys"), r.topCategories());
    assertEquals(-1, r.partition());
    assertNull(r.userId());
    assertNull(r.sessionId());
    assertEquals(0, r.productIds().length);
    assertEquals(0, r.productCounts().length);
  }

  @Test
  void whatIsNotAnAggregatedMetricsMessageIsADecodeException() {
    byte[] unknownWriter = ClickstreamCodec.v1Header();
    assertThrows(DecodeException.class, () -> codec.decode(Arrays.copyOf(unknownWriter, 30)));
    assertThrows(DecodeException.class, () -> codec.decode(new byte[] {1, 2, 3}));
    assertThrows(DecodeException.class, () -> codec.decode(new byte[0]));
    byte[] truncated = codec.encode(new WindowResult("id", WindowType.EVENTS_PER_MINUTE, 0, 1, 0, null, null, 0,
        0, 0, 0, 0, 0, List.of(), List.of(), new String[0], new long[0], new String[0], new long[0], 0));
    assertThrows(DecodeException.class, () -> codec.decode(Arrays.copyOf(truncated, truncated.length - 2)));
  }

  @Test
  void aRegistryFramedWindowDecodesWithTheSchemaItsIdNames() throws DecodeException {
    WindowResult window = new WindowResult(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 0),
        WindowType.EVENTS_PER_MINUTE, T0, T0 + 60_000, 0, null, null, 10, 4, 6, 2, 1, 500,
        List.of("p1"), List.of("books"), new String[] {"p1"}, new long[] {3}, new String[] {"books"},
        new long[] {5}, T0 + 61_000);
    byte[] framed = codec.encodeRegistry(window, 17);
    assertArrayEquals(RegistryFraming.header(17), Arrays.copyOf(framed, 5));
    DecodeException noRegistry = assertThrows(DecodeException.class, () -> codec.decode(framed));
    assertEquals("registry-framed AggregatedMetrics, but no SCHEMA_REGISTRY_URL is configured",
        noRegistry.getMessage());

    RegistrySchemas schemas = new RegistrySchemas(AggregatedCodec.V2, "AggregatedMetrics v2");
    schemas.found(17, null, AggregatedCodec.V2.toString());
    schemas.found(18, null, AggregatedCodec.V1.toString());
    codec.useRegistry(schemas);
    assertEquals(TestEvents.describe(window), TestEvents.describe(codec.decode(framed)));
    assertEquals(TestEvents.describe(window), TestEvents.describe(codec.decode(codec.encode(window))),
        "single-object still decodes next to registry framing");
    // A v1 writer, by the id the registry gave it: the v2 fields get their defaults.
    WindowResult fromV1 = codec.decode(RegistryFraming.frame(18, v1Body(window), 0));
    assertEquals(-1, fromV1.partition());
    assertEquals(window.eventCount(), fromV1.eventCount());
    assertEquals(window.topProducts(), fromV1.topProducts());
  }

  /**
   * The hand-written encoder must give exactly the bytes of Avro's generic writer for the same record, across what
   * changes the layout: each window type, absent and present user and session (one of them non-ASCII), empty and
   * long top lists, fewer counts than top entries, negative and large numbers.
   */
  @Test
  void encodesTheBytesAvrosGenericWriterProduces() throws IOException {
    String[] products = {"p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12"};
    long[] counts = {300, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    List<WindowResult> windows = List.of(
        new WindowResult(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 0), WindowType.EVENTS_PER_MINUTE, T0,
            T0 + 60_000, 0, null, null, 0, 0, 0, 0, 0, 0, List.of(), List.of(), new String[0], new long[0],
            new String[0], new long[0], T0 + 61_000),
        new WindowResult(WindowIds.tumbling(WindowType.REVENUE_PER_5MIN, -T0, 5), WindowType.REVENUE_PER_5MIN, -T0,
            Long.MAX_VALUE, 5, null, null, Long.MAX_VALUE, 64, 63, 1 << 20, 3, -12_345,
            List.of("p1", "p2"), List.of("books"), new String[] {"p1", "p2"}, new long[] {5, 4},
            new String[] {"books"}, new long[] {9}, -1),
        new WindowResult(WindowIds.session(T0, 1, "Łódź-user", "sess-1"), WindowType.SESSION_SUMMARY, T0,
            T0 + 90_000, 1, "Łódź-user", "sess-\"1\"", 78, 1, 70, 5, 3, 999,
            List.of(Arrays.copyOf(products, 10)), List.of("toys", "books"), products, counts,
            new String[] {"toys"}, new long[] {2}, 5));
    for (WindowResult w : windows) {
      GenericRecord record = v1Fields(AggregatedCodec.V2, w);
      record.put("source_partition", w.partition());
      record.put("user_id", w.userId());
      record.put("session_id", w.sessionId());
      record.put("top_product_counts", Arrays.stream(w.productCounts()).limit(w.topProducts().size()).boxed()
          .toList());
      record.put("top_category_counts", Arrays.stream(w.categoryCounts()).limit(w.topCategories().size()).boxed()
          .toList());
      ByteBuffer generic = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), AggregatedCodec.V2)
          .encode(record);
      byte[] expected = Arrays.copyOfRange(generic.array(), generic.arrayOffset() + generic.position(),
          generic.arrayOffset() + generic.limit());
      assertArrayEquals(expected, codec.encode(w), w.type() + " " + w.windowId());
    }
  }

  private static byte[] v1Body(WindowResult w) {
    GenericRecord v1 = v1Fields(AggregatedCodec.V1, w);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(AggregatedCodec.V1).write(v1, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A record of {@code schema} (v1 or v2) with the fields v1 has, from {@code w}. */
  private static GenericRecord v1Fields(Schema schema, WindowResult w) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("window_id", w.windowId());
    r.put("window_type", new GenericData.EnumSymbol(schema.getField("window_type").schema(), w.type().wireName()));
    r.put("window_start", w.windowStart());
    r.put("window_end", w.windowEnd());
    r.put("event_count", w.eventCount());
    r.put("unique_users", w.uniqueUsers());
    r.put("page_views", w.pageViews());
    r.put("add_to_carts", w.addToCarts());
    r.put("purchases", w.purchases());
    r.put("total_revenue_cents", w.totalRevenueCents());
    r.put("top_products", w.topProducts());
    r.put("top_categories", w.topCategories());
    r.put("emitted_at", w.emittedAt());
    return r;
  }
}
