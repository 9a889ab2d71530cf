package io.streampipeline.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** Registry-framed messages (0x00, 4-byte id, body) next to single-object and schemaless ones. */
class ClickstreamCodecRegistryTest {
  private static final String V1_TEXT = ClickstreamCodec.V1.toString();
  private static final Schema NEWER = new Schema.Parser().parse(V1_TEXT.substring(0, V1_TEXT.lastIndexOf(']'))
      + ",{\"name\":\"campaign\",\"type\":\"string\",\"default\":\"none\"}]}");
  private static final Schema OLDER = new Schema.Parser().parse(V1_TEXT.replace(
      ",{\"name\":\"geo_city\",\"type\":[\"null\",\"string\"],\"default\":null}", ""));

  private final ClickstreamCodec codec = new ClickstreamCodec();
  private final RegistrySchemas schemas = new RegistrySchemas(ClickstreamCodec.V1, "ClickstreamEvent v1");

  ClickstreamCodecRegistryTest() {
    codec.useRegistry(schemas);
  }

  @Test
  void theV1WriterIsReadByItsRegistryId() throws DecodeException {
    schemas.found(1, null, V1_TEXT);
    ClickstreamEvent event = ClickstreamCodecTest.sample();
    byte[] framed = RegistryFraming.frame(1, codec.encodeSchemaless(event), 0);
    assertEquals(event, codec.decode(framed));
  }

  @Test
  void aNewerWriterWithAnExtraFieldIsResolvedToV1() throws Exception {
    schemas.found(2, null, NEWER.toString());
    GenericRecord record = as(NEWER, codec.encodeSchemaless(ClickstreamCodecTest.sample()));
    record.put("campaign", "black-friday");
    assertEquals(ClickstreamCodecTest.sample(), codec.decode(RegistryFraming.frame(2, write(NEWER, record), 0)));
  }

  @Test
  void anOlderWriterGetsTheReaderDefault() throws Exception {
    assertEquals(null, OLDER.getField("geo_city"));
    schemas.found(3, null, OLDER.toString());
    GenericRecord record = as(OLDER, codec.encodeSchemaless(ClickstreamCodecTest.sample()));
    ClickstreamEvent decoded = codec.decode(RegistryFraming.frame(3, write(OLDER, record), 0));
    assertEquals(null, decoded.geoCity());
    assertEquals(ClickstreamCodecTest.sample().eventId(), decoded.eventId());
  }

  @Test
  void anUnknownIdIsUndecodableWithItsReason() {
    schemas.notFound(404, "Schema 404 not found", System.currentTimeMillis());
    byte[] framed = RegistryFraming.frame(404, codec.encodeSchemaless(ClickstreamCodecTest.sample()), 0);
    DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(framed));
    assertEquals("unknown schema registry id 404 (registry: Schema 404 not found)", e.getMessage());
  }

  @Test
  void brokenFramesAreUndecodable() {
    schemas.found(1, null, V1_TEXT);
    assertEquals("truncated schema registry header (3 bytes)",
        assertThrows(DecodeException.class, () -> codec.decode(new byte[] {0, 0, 0})).getMessage());
    byte[] body = codec.encodeSchemaless(ClickstreamCodecTest.sample());
    byte[] cut = RegistryFraming.frame(1, Arrays.copyOf(body, body.length - 3), 0);
    assertThrows(DecodeException.class, () -> codec.decode(cut));
    assertEquals("schema registry id 9 was not looked up before decoding",
        assertThrows(DecodeException.class, () -> codec.decode(RegistryFraming.frame(9, body, 0))).getMessage());
  }

  @Test
  void singleObjectAndSchemalessStillWorkWithARegistry() throws DecodeException {
    ClickstreamEvent event = ClickstreamCodecTest.sample();
    assertEquals(event, codec.decode(codec.encode(event)));
    assertEquals(event, codec.decode(codec.encodeSchemaless(event)));
  }

  @Test
  void withoutARegistryAZeroFirstByteIsASchemalessBodyWithAnEmptyEventId() throws DecodeException {
    ClickstreamEvent sample = ClickstreamCodecTest.sample();
    ClickstreamEvent noId = new ClickstreamEvent("", sample.eventType(), sample.timestamp(), sample.userId(),
        sample.sessionId(), sample.productId(), sample.productCategory(), sample.priceCents(), sample.quantity(),
        sample.searchQuery(), sample.pageUrl(), sample.referrer(), sample.userAgent(), sample.ipAddress(),
        sample.geoCountry(), sample.geoCity());
    byte[] body = new ClickstreamCodec().encodeSchemaless(noId);
    assertEquals(0, body[0]);
    assertEquals(noId, new ClickstreamCodec().decode(body));
    // With a registry the same bytes are read as a frame: the ambiguity the README warns about.
    assertThrows(DecodeException.class, () -> codec.decode(body));
  }

  private static GenericRecord as(Schema schema, byte[] v1Body) throws IOException {
    return new GenericDatumReader<GenericRecord>(ClickstreamCodec.V1, schema)
        .read(null, DecoderFactory.get().binaryDecoder(v1Body, null));
  }

  private static byte[] write(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
