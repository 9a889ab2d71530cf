package io.streampipeline.event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Decodes and encodes ClickstreamEvent on the Kafka wire (docs/design.md#wire-formats).
 *
 * <p>A message starting with 0xC3 0x01 is Avro single-object encoding: the 8-byte fingerprint that follows
 * names the writer schema, which must be one this build knows (every released clickstream.avsc, plus any
 * registered); it is resolved against v1, the reader. Any other message is a schemaless v1 body. Both must be
 * consumed to the last byte. The v1 body — by far the common case — is read by a hand-written, bounds-checked
 * reader; other writer versions go through Avro's resolving reader.
 *
 * <p>With a Schema Registry ({@link #useRegistry}), a message starting with 0x00 is registry-framed: 0x00, the
 * writer schema's 4-byte big-endian registry id, the body. The writer schema must already be in the
 * {@link RegistrySchemas} (the caller looks ids up before decoding); it is resolved against v1 like a
 * single-object writer. Without a registry such a message is a schemaless body (its event_id is empty).
 *
 * <p>Not thread-safe (it reuses buffers): one instance per verticle or thread.
 */
public final class ClickstreamCodec {
  static {
    // Avro's resolving reader would allocate whatever length a garbage body claims; Kafka messages are
    // at most about 1 MB, so no real string is longer. Set before Avro reads its limits.
    System.setProperty("org.apache.avro.limits.string.maxLength",
        System.getProperty("org.apache.avro.limits.string.maxLength", "1048576"));
    System.setProperty("org.apache.avro.limits.bytes.maxLength",
        System.getProperty("org.apache.avro.limits.bytes.maxLength", "1048576"));
  }

  /** Released writer schemas shipped in the jar, oldest first. */
  private static final List<String> RELEASED_VERSIONS = List.of("avro/clickstream.v1.avsc");
  public static final Schema V1 = loadSchema("avro/clickstream.v1.avsc");
  public static final long V1_FINGERPRINT = SchemaNormalization.parsingFingerprint64(V1);
  private static final byte MAGIC_0 = (byte) 0xC3;
  private static final byte MAGIC_1 = (byte) 0x01;
  private static final int HEADER_LENGTH = 10;
  private static final int EVENT_TYPES = EventType.values().length;
  /** Values kept per field of the catalogue and the site (products, pages, places). */
  private static final int FIELD_VALUES = 1024;
  /** Values kept per field of a user: enough for the users active in one lane at once on a busy shop. */
  private static final int USER_VALUES = 4096;

  private final Map<Long, GenericDatumReader<GenericRecord>> otherWriters = new HashMap<>();
  private final AvroBinaryReader reader = new AvroBinaryReader();
  // The fields whose values repeat across events. A user's own fields (id, session, agent, address) repeat for as
  // long as it is active, and many users are active at once, so those keep more values. Event ids never repeat.
  private final RepeatedStrings products = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings categories = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings queries = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings pages = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings referrers = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings countries = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings cities = new RepeatedStrings(FIELD_VALUES);
  private final RepeatedStrings userIds = new RepeatedStrings(USER_VALUES);
  private final RepeatedStrings sessionIds = new RepeatedStrings(USER_VALUES);
  private final RepeatedStrings userAgents = new RepeatedStrings(USER_VALUES);
  private final RepeatedStrings ipAddresses = new RepeatedStrings(USER_VALUES);
  private final AvroBinaryWriter writer = new AvroBinaryWriter();
  private final Map<Integer, GenericDatumReader<GenericRecord>> registryReaders = new HashMap<>();
  private RegistrySchemas registry;
  private BinaryDecoder avroDecoder;

  public ClickstreamCodec() {
    for (String path : RELEASED_VERSIONS) {
      registerWriterSchema(loadSchema(path));
    }
  }

  /** Makes a further compatible writer schema decodable by its fingerprint. */
  public void registerWriterSchema(Schema writerSchema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(writerSchema);
    if (fingerprint != V1_FINGERPRINT) {
      otherWriters.put(fingerprint, new GenericDatumReader<>(writerSchema, V1));
    }
  }

  /** Reads 0x00-framed messages as registry-framed, with the writer schemas known to {@code schemas} (null: never). */
  public void useRegistry(RegistrySchemas schemas) {
    this.registry = schemas;
    registryReaders.clear();
  }

  public ClickstreamEvent decode(byte[] message) throws DecodeException {
    if (message == null || message.length == 0) {
      throw new DecodeException("empty message");
    }
    if (registry != null && message[0] == RegistryFraming.MAGIC) {
      return decodeRegistryFramed(message);
    }
    if (message.length >= 2 && message[0] == MAGIC_0 && message[1] == MAGIC_1) {
      if (message.length < HEADER_LENGTH) {
        throw new DecodeException("truncated single-object header");
      }
      long fingerprint = ByteBuffer.wrap(message, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (fingerprint == V1_FINGERPRINT) {
        return readV1(message, HEADER_LENGTH);
      }
      GenericDatumReader<GenericRecord> resolving = otherWriters.get(fingerprint);
      if (resolving == null) {
        throw new DecodeException("unknown schema fingerprint " + fingerprintHex(fingerprint));
      }
      return readResolved(resolving, message, HEADER_LENGTH);
    }
    return readV1(message, 0);
  }

  private ClickstreamEvent decodeRegistryFramed(byte[] message) throws DecodeException {
    int id = RegistryFraming.schemaId(message);
    RegistrySchemas.Entry entry = registry.get(id);
    if (entry instanceof RegistrySchemas.Unusable unusable) {
      throw new DecodeException(unusable.reason());
    }
    if (!(entry instanceof RegistrySchemas.Usable usable)) {
      // The lane looks every id up before decoding, so this is a bug; the DLQ keeps the message for a replay.
      throw new DecodeException("schema registry id " + id + " was not looked up before decoding");
    }
    if (usable.sameAsReader()) {
      return readV1(message, RegistryFraming.HEADER_LENGTH);
    }
    GenericDatumReader<GenericRecord> resolving =
        registryReaders.computeIfAbsent(id, i -> new GenericDatumReader<>(usable.writer(), V1));
    return readResolved(resolving, message, RegistryFraming.HEADER_LENGTH);
  }

  private ClickstreamEvent readV1(byte[] message, int offset) throws DecodeException {
    AvroBinaryReader in = reader;
    in.reset(message, offset);
    String eventId = in.readString("event_id");
    int typeIndex = in.readInt();
    if (typeIndex < 0 || typeIndex >= EVENT_TYPES) {
      throw new DecodeException("event_type enum index out of range: " + typeIndex);
    }
    long timestamp = in.readLong();
    String userId = in.readString("user_id", userIds);
    String sessionId = in.readString("session_id", sessionIds);
    String productId = in.readOptionalString("product_id", products);
    String productCategory = in.readOptionalString("product_category", categories);
    Long price = in.readUnionIndex("price_cents", 2) == 0 ? null : in.readLong();
    Integer quantity = in.readUnionIndex("quantity", 2) == 0 ? null : in.readInt();
    String searchQuery = in.readOptionalString("search_query", queries);
    String pageUrl = in.readString("page_url", pages);
    String referrer = in.readOptionalString("referrer", referrers);
    String userAgent = in.readString("user_agent", userAgents);
    String ipAddress = in.readString("ip_address", ipAddresses);
    String geoCountry = in.readString("geo_country", countries);
    String geoCity = in.readOptionalString("geo_city", cities);
    if (!in.atEnd()) {
      throw new DecodeException("bytes left over after a complete Avro body");
    }
    return new ClickstreamEvent(eventId, EventType.fromIndex(typeIndex), timestamp, userId, sessionId, productId,
        productCategory, price, quantity, searchQuery, pageUrl, referrer, userAgent, ipAddress, geoCountry, geoCity);
  }

  private ClickstreamEvent readResolved(GenericDatumReader<GenericRecord> resolving, byte[] message, int offset)
      throws DecodeException {
    GenericRecord record;
    try {
      avroDecoder = DecoderFactory.get().binaryDecoder(message, offset, message.length - offset, avroDecoder);
      record = resolving.read(null, avroDecoder);
      if (!avroDecoder.isEnd()) {
        throw new DecodeException("bytes left over after a complete Avro body");
      }
    } catch (IOException | RuntimeException e) {
      throw new DecodeException("undecodable Avro body: " + e.getClass().getSimpleName());
    }
    Object price = record.get("price_cents");
    Object quantity = record.get("quantity");
    return new ClickstreamEvent(
        text(record, "event_id"),
        EventType.fromWireName(record.get("event_type").toString()),
        (Long) record.get("timestamp"),
        text(record, "user_id"),
        text(record, "session_id"),
        text(record, "product_id"),
        text(record, "product_category"),
        price == null ? null : (Long) price,
        quantity == null ? null : (Integer) quantity,
        text(record, "search_query"),
        text(record, "page_url"),
        text(record, "referrer"),
        text(record, "user_agent"),
        text(record, "ip_address"),
        text(record, "geo_country"),
        text(record, "geo_city"));
  }

  private String text(GenericRecord record, String field) throws DecodeException {
    Object value = record.get(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Utf8 utf8) {
      return reader.decodeText(utf8.getBytes(), 0, utf8.getByteLength(), field);
    }
    return value.toString();
  }

  /** Single-object encoding with the v1 schema: what the generator writes. */
  public byte[] encode(ClickstreamEvent event) {
    writer.reset();
    writer.writeRaw(v1Header());
    writeBody(event);
    return writer.toByteArray();
  }

  /** A plain schemaless v1 body, as fastavro's schemaless_writer produces. */
  public byte[] encodeSchemaless(ClickstreamEvent event) {
    writer.reset();
    writeBody(event);
    return writer.toByteArray();
  }

  private void writeBody(ClickstreamEvent e) {
    AvroBinaryWriter out = writer;
    out.writeString(e.eventId());
    out.writeLong(e.eventType().ordinal());
    out.writeLong(e.timestamp());
    out.writeString(e.userId());
    out.writeString(e.sessionId());
    out.writeOptionalString(e.productId());
    out.writeOptionalString(e.productCategory());
    out.writeOptionalLong(e.priceCents());
    out.writeOptionalLong(e.quantity() == null ? null : e.quantity().longValue());
    out.writeOptionalString(e.searchQuery());
    out.writeString(e.pageUrl());
    out.writeOptionalString(e.referrer());
    out.writeString(e.userAgent());
    out.writeString(e.ipAddress());
    out.writeString(e.geoCountry());
    out.writeOptionalString(e.geoCity());
  }

  /** 0xC3 0x01 followed by the v1 fingerprint, little-endian. */
  public static byte[] v1Header() {
    return singleObjectHeader(V1_FINGERPRINT);
  }

  public static byte[] singleObjectHeader(long fingerprint) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC_0).put(MAGIC_1).putLong(fingerprint);
    return header.array();
  }

  /** The fingerprint as docs/design.md#avro-schemas writes it: hex of the little-endian bytes as sent. */
  public static String fingerprintHex(long fingerprint) {
    byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
    StringBuilder hex = new StringBuilder(16);
    for (byte b : bytes) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return hex.toString();
  }

  public static Schema loadSchema(String resource) {
    try (InputStream in = ClickstreamCodec.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + resource);
      }
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schema " + resource, e);
    }
  }
}
