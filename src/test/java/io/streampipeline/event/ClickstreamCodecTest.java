package io.streampipeline.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class ClickstreamCodecTest {
  private final ClickstreamCodec codec = new ClickstreamCodec();

  static ClickstreamEvent sample() {
    return new ClickstreamEvent("3f1c9a52-6b7e-4c1d-9a57-0c2b8e6f4d11", EventType.PURCHASE, 1_700_000_123_456L,
        "user_000042", "5a7d2c1e-0000-4000-8000-000000000001", "prod_00007", "electronics", 1999L, 2, null,
        "https://shop.example/p/7", "https://search.example/?q=x", "Mozilla/5.0 (iPhone)", "10.1.2.3", "de",
        "Zürich");
  }

  private static GenericRecord toGeneric(Schema schema, ClickstreamEvent e) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("event_id", e.eventId());
    r.put("event_type", new GenericData.EnumSymbol(schema.getField("event_type").schema(),
        e.eventType().wireName()));
    r.put("timestamp", e.timestamp());
    r.put("user_id", e.userId());
    r.put("session_id", e.sessionId());
    r.put("product_id", e.productId());
    r.put("product_category", e.productCategory());
    r.put("price_cents", e.priceCents());
    r.put("quantity", e.quantity());
    r.put("search_query", e.searchQuery());
    r.put("page_url", e.pageUrl());
    r.put("referrer", e.referrer());
    r.put("user_agent", e.userAgent());
    r.put("ip_address", e.ipAddress());
    r.put("geo_country", e.geoCountry());
    if (schema.getField("geo_city") != null) {
      r.put("geo_city", e.geoCity());
    }
    return r;
  }

  private static byte[] schemaless(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  void v1FingerprintIsTheContractOne() {
    assertEquals("67c5101abe72370d", ClickstreamCodec.fingerprintHex(ClickstreamCodec.V1_FINGERPRINT));
  }

  @Test
  void singleObjectRoundTripMatchesAvrosOwnEncoder() throws Exception {
    ClickstreamEvent e = sample();
    byte[] avro = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), ClickstreamCodec.V1)
        .encode(toGeneric(ClickstreamCodec.V1, e)).array();
    assertArrayEquals(avro, codec.encode(e));
    assertEquals(e, codec.decode(avro));
  }

  @Test
  void schemalessBodyFromPlainBinaryEncoder() throws Exception {
    ClickstreamEvent e = sample();
    byte[] body = schemaless(ClickstreamCodec.V1, toGeneric(ClickstreamCodec.V1, e));
    assertArrayEquals(body, codec.encodeSchemaless(e));
    assertEquals(e, codec.decode(body));
  }

  @Test
  void olderWriterWithOneFieldFewerResolvesToTheReaderDefault() throws Exception {
    Schema older = withoutField(ClickstreamCodec.V1, "geo_city");
    codec.registerWriterSchema(older);
    byte[] message = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
        .encode(toGeneric(older, sample())).array();
    ClickstreamEvent decoded = codec.decode(message);
    assertNull(decoded.geoCity());
    assertEquals(sample().eventId(), decoded.eventId());
    assertEquals(sample().priceCents(), decoded.priceCents());
  }

  @Test
  void newerWriterWithAnAddedFieldIsRead() throws Exception {
    Schema newer = withExtraField(ClickstreamCodec.V1);
    codec.registerWriterSchema(newer);
    GenericRecord record = toGeneric(newer, sample());
    record.put("loyalty_tier", "gold");
    byte[] message = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record).array();
    assertEquals(sample(), codec.decode(message));
  }

  @Test
  void unknownFingerprintIsRefusedByName() {
    byte[] body = codec.encodeSchemaless(sample());
    byte[] header = ClickstreamCodec.singleObjectHeader(0x1234_5678_9abc_def0L);
    byte[] message = new byte[header.length + body.length];
    System.arraycopy(header, 0, message, 0, header.length);
    System.arraycopy(body, 0, message, header.length, body.length);
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(message));
    assertEquals("unknown schema fingerprint f0debc9a78563412", e.getMessage());
  }

  @Test
  void everyTruncationFailsCleanly() {
    byte[] full = codec.encode(sample());
    for (int length = 0; length < full.length; length++) {
      byte[] cut = Arrays.copyOf(full, length);
      assertThrows(DecodeException.class, () -> codec.decode(cut), "length " + length);
    }
    byte[] body = codec.encodeSchemaless(sample());
    for (int length = 0; length < body.length; length++) {
      byte[] cut = Arrays.copyOf(body, length);
      assertThrows(DecodeException.class, () -> codec.decode(cut), "schemaless length " + length);
    }
  }

  @Test
  void bytesLeftOverAreRefused() {
    byte[] body = codec.encodeSchemaless(sample());
    byte[] longer = Arrays.copyOf(body, body.length + 1);
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(longer));
    assertEquals("bytes left over after a complete Avro body", e.getMessage());
  }

  @Test
  void enumIndexOutOfRange() {
    byte[] body = codec.encodeSchemaless(sample());
    // event_id is 36 ASCII chars: 1 length byte + 36 bytes, then the enum index (zigzag 3 = 6).
    body[37] = 12;
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(body));
    assertEquals("event_type enum index out of range: 6", e.getMessage());
  }

  @Test
  void invalidUtf8IsRefusedNotReplaced() {
    byte[] body = codec.encodeSchemaless(sample());
    body[1] = (byte) 0xC3;
    body[2] = (byte) 0x28;
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(body));
    assertEquals("invalid UTF-8 in event_id", e.getMessage());
  }

  @Test
  void randomGarbageNeverThrowsAnythingElse() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] garbage = new byte[random.nextInt(200)];
      random.nextBytes(garbage);
      try {
        codec.decode(garbage);
      } catch (DecodeException expected) {
        assertTrue(expected.getMessage().length() > 0);
      }
    }
  }

  @Test
  void hugeClaimedLengthDoesNotAllocate() {
    // event_id length varint claiming ~2^40 bytes.
    byte[] message = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x3f, 0x41};
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(message));
    assertEquals("truncated Avro body in event_id", e.getMessage());
  }

  /** Compatible older writer: the same record without one (defaulted) field. */
  private static Schema withoutField(Schema schema, String dropped) {
    JsonObject json = new JsonObject(schema.toString());
    json.getJsonArray("fields").getList().removeIf(f -> dropped.equals(((Map<?, ?>) f).get("name")));
    return new Schema.Parser().parse(json.encode());
  }

  /** Compatible newer writer: one more field at the end, with a default. */
  private static Schema withExtraField(Schema schema) {
    JsonObject json = new JsonObject(schema.toString());
    json.getJsonArray("fields").add(new JsonObject()
        .put("name", "loyalty_tier").put("type", "string").put("default", "none"));
    return new Schema.Parser().parse(json.encode());
  }
}
