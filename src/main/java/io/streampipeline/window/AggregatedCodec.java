package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.AvroBinaryWriter;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;

/**
 * AggregatedMetrics on the clickstream.aggregated topic, in Avro single-object encoding (0xC3 0x01, the
 * writer's 8-byte fingerprint, the body).
 *
 * <p>{@link #encode} writes aggregated.v2.avsc: v1 unchanged plus, appended with defaults,
 * source_partition, user_id, session_id (sessions only) and the counts of the top lists. {@link #decode}
 * reads a v1 or v2 writer, resolved against v2, so v1 records get the defaults (partition -1, no user or
 * session, no counts).
 *
 * <p>The decoded result carries only what the message holds: {@code productIds}/{@code productCounts} (and
 * the category pair) are the top lists with their counts when the writer sent counts (v2), and empty when
 * it did not (v1); the full tallies never travel on the topic.
 *
 * <p>With AGGREGATED_WIRE_FORMAT=registry the same body goes out registry-framed ({@link #encodeRegistry}),
 * and a reader given a {@link RegistrySchemas} ({@link #useRegistry}) decodes both forms.
 */
public final class AggregatedCodec {
  public static final Schema V1 = ClickstreamCodec.loadSchema("avro/aggregated.v1.avsc");
  public static final Schema V2 = ClickstreamCodec.loadSchema("avro/aggregated.v2.avsc");
  public static final long V1_FINGERPRINT = SchemaNormalization.parsingFingerprint64(V1);
  public static final long V2_FINGERPRINT = SchemaNormalization.parsingFingerprint64(V2);

  private static final byte[] V2_HEADER = ClickstreamCodec.singleObjectHeader(V2_FINGERPRINT);
  /** Per {@link WindowType} ordinal, the index of its symbol in the schema's WindowType enum. */
  private static final int[] WIRE_TYPE_INDEX = wireTypeIndexes(V2.getField("window_type").schema());
  /** Room for a session row with its top lists, so that most rows need no growing. */
  private static final int ENCODED_SIZE_GUESS = 256;

  private final BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), V2);

  private final Map<Integer, GenericDatumReader<GenericRecord>> registryReaders = new HashMap<>();
  private RegistrySchemas registry;
  private BinaryDecoder registryDecoder;

  public AggregatedCodec() {
    decoder.addSchema(V1);
  }

  /** Decodes registry-framed messages with the writer schemas known to {@code schemas}. */
  public void useRegistry(RegistrySchemas schemas) {
    this.registry = schemas;
    registryReaders.clear();
  }

  /** The result registry-framed with the id under which the registry knows {@link #V2}. */
  public byte[] encodeRegistry(WindowResult r, int v2SchemaId) {
    return RegistryFraming.fromSingleObject(encode(r), v2SchemaId);
  }

  /**
   * The result as an AggregatedMetrics v2 single-object message. Written field by field in the schema's order (the
   * bytes Avro's generic writer produces for the same record, which AggregatedCodecTest holds it to): a window row
   * is encoded for every window a checkpoint closes, and with many users that is a session row every few events.
   * Thread-safe: nothing is shared between calls.
   */
  public byte[] encode(WindowResult r) {
    AvroBinaryWriter out = new AvroBinaryWriter(ENCODED_SIZE_GUESS);
    out.writeRaw(V2_HEADER);
    out.writeString(r.windowId());
    out.writeLong(WIRE_TYPE_INDEX[r.type().ordinal()]);
    out.writeLong(r.windowStart());
    out.writeLong(r.windowEnd());
    out.writeLong(r.eventCount());
    out.writeLong(r.uniqueUsers());
    out.writeLong(r.pageViews());
    out.writeLong(r.addToCarts());
    out.writeLong(r.purchases());
    out.writeLong(r.totalRevenueCents());
    out.writeStringArray(r.topProducts());
    out.writeStringArray(r.topCategories());
    out.writeLong(r.emittedAt());
    out.writeLong(r.partition());
    out.writeOptionalString(r.userId());
    out.writeOptionalString(r.sessionId());
    out.writeLongArray(r.productCounts(), r.topProducts().size());
    out.writeLongArray(r.categoryCounts(), r.topCategories().size());
    return out.toByteArray();
  }

  /**
   * Reads an AggregatedMetrics message written with the v1 or v2 schema.
   *
   * @throws DecodeException when the message is not single-object encoded, names an unknown writer schema,
   *     or its body is malformed
   */
  public WindowResult decode(byte[] message) throws DecodeException {
    GenericRecord record;
    try {
      record = RegistryFraming.isFramed(message) ? decodeRegistryFramed(message) : decoder.decode(message);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new DecodeException("undecodable AggregatedMetrics: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    List<String> topProducts = strings(record.get("top_products"));
    List<String> topCategories = strings(record.get("top_categories"));
    long[] productCounts = longs(record.get("top_product_counts"));
    long[] categoryCounts = longs(record.get("top_category_counts"));
    boolean productsCounted = productCounts.length == topProducts.size();
    boolean categoriesCounted = categoryCounts.length == topCategories.size();
    return new WindowResult(
        record.get("window_id").toString(),
        WindowType.fromWireName(record.get("window_type").toString()),
        (Long) record.get("window_start"),
        (Long) record.get("window_end"),
        (Integer) record.get("source_partition"),
        text(record.get("user_id")),
        text(record.get("session_id")),
        (Long) record.get("event_count"),
        (Long) record.get("unique_users"),
        (Long) record.get("page_views"),
        (Long) record.get("add_to_carts"),
        (Long) record.get("purchases"),
        (Long) record.get("total_revenue_cents"),
        topProducts,
        topCategories,
        productsCounted ? topProducts.toArray(String[]::new) : new String[0],
        productsCounted ? productCounts : new long[0],
        categoriesCounted ? topCategories.toArray(String[]::new) : new String[0],
        categoriesCounted ? categoryCounts : new long[0],
        (Long) record.get("emitted_at"));
  }

  private GenericRecord decodeRegistryFramed(byte[] message) throws DecodeException, IOException {
    if (registry == null) {
      throw new DecodeException("registry-framed AggregatedMetrics, but no SCHEMA_REGISTRY_URL is configured");
    }
    int id = RegistryFraming.schemaId(message);
    RegistrySchemas.Entry entry = registry.get(id);
    if (entry instanceof RegistrySchemas.Unusable unusable) {
      throw new DecodeException(unusable.reason());
    }
    if (!(entry instanceof RegistrySchemas.Usable usable)) {
      throw new DecodeException("schema registry id " + id + " was not looked up before decoding");
    }
    GenericDatumReader<GenericRecord> reader =
        registryReaders.computeIfAbsent(id, i -> new GenericDatumReader<>(usable.writer(), V2));
    registryDecoder = DecoderFactory.get().binaryDecoder(message, RegistryFraming.HEADER_LENGTH,
        message.length - RegistryFraming.HEADER_LENGTH, registryDecoder);
    GenericRecord record = reader.read(null, registryDecoder);
    if (!registryDecoder.isEnd()) {
      throw new DecodeException("bytes left over after a complete AggregatedMetrics body");
    }
    return record;
  }

  /** The fingerprint as docs/design.md#avro-schemas writes it: hex of the little-endian bytes as sent. */
  public static String fingerprintHex(long fingerprint) {
    return ClickstreamCodec.fingerprintHex(fingerprint);
  }

  private static int[] wireTypeIndexes(Schema windowTypeEnum) {
    int[] indexes = new int[WindowType.values().length];
    for (WindowType t : WindowType.values()) {
      indexes[t.ordinal()] = windowTypeEnum.getEnumOrdinal(t.wireName());
    }
    return indexes;
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static List<String> strings(Object array) {
    List<?> items = (List<?>) array;
    List<String> out = new ArrayList<>(items.size());
    for (Object item : items) {
      out.add(item.toString());
    }
    return List.copyOf(out);
  }

  private static long[] longs(Object array) {
    List<?> items = (List<?>) array;
    long[] out = new long[items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Long) items.get(i);
    }
    return out;
  }
}
