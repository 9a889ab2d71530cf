package io.streampipeline.event;

import java.util.Arrays;

/**
 * The Schema Registry wire format (Confluent's, also served by Apicurio's ccompat API, Karapace and Redpanda):
 * byte 0x00, the writer schema's registry id as a 4-byte big-endian int, then the Avro binary body.
 *
 * <p>A schemaless clickstream body whose event_id is empty also starts with 0x00 (the string length 0), so
 * this framing is only read when a registry is configured.
 */
public final class RegistryFraming {
  public static final byte MAGIC = 0x00;
  public static final int HEADER_LENGTH = 5;
  /** Where an Avro single-object message's body starts: 0xC3 0x01 and the 8-byte fingerprint. */
  private static final int SINGLE_OBJECT_HEADER_LENGTH = 10;

  private RegistryFraming() {
  }

  public static boolean isFramed(byte[] message) {
    return message != null && message.length > 0 && message[0] == MAGIC;
  }

  /**
   * The schema id of a message that {@link #isFramed is framed}.
   *
   * @throws DecodeException when the header is cut short or the id is negative (no registry hands those out)
   */
  public static int schemaId(byte[] message) throws DecodeException {
    if (message.length < HEADER_LENGTH) {
      throw new DecodeException("truncated schema registry header (" + message.length + " bytes)");
    }
    int id = readId(message);
    if (id < 0) {
      throw new DecodeException("schema registry id out of range: " + Integer.toUnsignedString(id));
    }
    return id;
  }

  /** The schema id to look up for this message, or -1 when it is not framed or has no usable id. */
  public static int idToLookUp(byte[] message) {
    if (!isFramed(message) || message.length < HEADER_LENGTH) {
      return -1;
    }
    int id = readId(message);
    return id < 0 ? -1 : id;
  }

  public static byte[] header(int schemaId) {
    return new byte[] {MAGIC, (byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8),
        (byte) schemaId};
  }

  /** The framing of {@code body[offset..]} with the given schema id. */
  public static byte[] frame(int schemaId, byte[] body, int offset) {
    byte[] framed = new byte[HEADER_LENGTH + body.length - offset];
    System.arraycopy(header(schemaId), 0, framed, 0, HEADER_LENGTH);
    System.arraycopy(body, offset, framed, HEADER_LENGTH, body.length - offset);
    return framed;
  }

  /**
   * Re-frames an Avro single-object message (whose fingerprint names the schema registered as
   * {@code schemaId}) for the registry: same body, other header.
   */
  public static byte[] fromSingleObject(byte[] singleObject, int schemaId) {
    if (singleObject.length < SINGLE_OBJECT_HEADER_LENGTH || singleObject[0] != (byte) 0xC3
        || singleObject[1] != 0x01) {
      throw new IllegalArgumentException("not an Avro single-object message: "
          + Arrays.toString(Arrays.copyOf(singleObject, Math.min(4, singleObject.length))));
    }
    return frame(schemaId, singleObject, SINGLE_OBJECT_HEADER_LENGTH);
  }

  private static int readId(byte[] m) {
    return ((m[1] & 0xff) << 24) | ((m[2] & 0xff) << 16) | ((m[3] & 0xff) << 8) | (m[4] & 0xff);
  }
}
