package io.streampipeline.sink;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The DLQ envelope (docs/design.md#dead-letters): the original payload as UTF-8 text when it is valid UTF-8 without NUL, else base64, with
 * payload_encoding saying which. On the topic the envelope is capped at {@link #MAX_ENVELOPE_BYTES}; the
 * dead_letter_events table keeps the whole payload.
 */
public final class DeadLetterRows {
  /**
   * The largest DLQ message, in bytes of JSON. The producer refuses a record over max.request.size (1 MiB by
   * default) and the broker one over message.max.bytes (about 1 MiB by default); JSON escaping makes a payload
   * of control characters six times longer and base64 a third longer, so without a cap one bad message could
   * never be sent. A quarter of the default leaves room for a broker set lower and is still far more than a
   * reader needs to see what was wrong.
   */
  public static final int MAX_ENVELOPE_BYTES = 256 * 1024;

  private DeadLetterRows() {
  }

  /** [text, encoding] of a payload: UTF-8 text when it is text without NUL, else base64. */
  public static String[] payloadText(byte[] payload) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload)).toString();
      if (text.indexOf('\0') < 0) {
        return new String[] {text, "utf8"};
      }
    } catch (CharacterCodingException e) {
      // not text: fall through to base64
    }
    return new String[] {Base64.getEncoder().encodeToString(payload), "base64"};
  }

  /**
   * The original bytes of a stored payload, exactly: base64 is decoded, and text was only stored as text when
   * the bytes were valid UTF-8, whose decoding and encoding are inverse. This is what the replay sends.
   */
  public static byte[] payloadBytes(String text, String encoding) {
    return switch (encoding) {
      case "utf8" -> text.getBytes(StandardCharsets.UTF_8);
      case "base64" -> Base64.getDecoder().decode(text);
      default -> throw new IllegalArgumentException("unknown payload_encoding '" + encoding + "'");
    };
  }

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  /**
   * The message on the DLQ topic, at most {@link #MAX_ENVELOPE_BYTES} of UTF-8 JSON unless the fields other than
   * the payload alone are longer; key {@link #key}.
   */
  public static byte[] envelopeJson(String payload, String encoding, String reason, String topic, int partition,
      long offset, long failedAt) {
    return envelopeJson(payload, encoding, reason, topic, null, partition, offset, failedAt, MAX_ENVELOPE_BYTES);
  }

  /** The same with the ID of the log the message was read from ({@code source_topic_id}; null: not known). */
  public static byte[] envelopeJson(String payload, String encoding, String reason, String topic, String topicId,
      int partition, long offset, long failedAt) {
    return envelopeJson(payload, encoding, reason, topic, topicId, partition, offset, failedAt, MAX_ENVELOPE_BYTES);
  }

  static byte[] envelopeJson(String payload, String encoding, String reason, String topic, int partition,
      long offset, long failedAt, int maxBytes) {
    return envelopeJson(payload, encoding, reason, topic, null, partition, offset, failedAt, maxBytes);
  }

  /**
   * The envelope as it is when it fits {@code maxBytes}; else with the longest prefix of the payload that fits
   * and {@code payload_truncated: true}. A base64 payload is cut at a multiple of 4 characters (it still decodes,
   * to the first bytes of the message), a text payload between characters.
   */
  static byte[] envelopeJson(String payload, String encoding, String reason, String topic, String topicId,
      int partition, long offset, long failedAt, int maxBytes) {
    byte[] whole = utf8(envelope(payload, encoding, false, reason, topic, topicId, partition, offset, failedAt));
    if (whole.length <= maxBytes) {
      return whole;
    }
    // Every character is at least one byte of JSON, so no prefix longer than maxBytes fits. Escaping makes
    // the encoded length hard to predict per character; measuring is exact, and this path is rare.
    int fits = 0;
    int tooLong = Math.min(payload.length(), maxBytes) + 1;
    byte[] best = null;
    while (tooLong - fits > 1) {
      int mid = (fits + tooLong) >>> 1;
      byte[] json = utf8(envelope(prefix(payload, encoding, mid), encoding, true, reason, topic, topicId, partition,
          offset, failedAt));
      if (json.length <= maxBytes) {
        fits = mid;
        best = json;
      } else {
        tooLong = mid;
      }
    }
    return best != null ? best : utf8(envelope(prefix(payload, encoding, 0), encoding, true, reason, topic, topicId,
        partition, offset, failedAt));
  }

  private static String prefix(String payload, String encoding, int length) {
    int end = length;
    if ("base64".equals(encoding)) {
      end -= end % 4;
    } else if (end > 0 && end < payload.length() && Character.isHighSurrogate(payload.charAt(end - 1))) {
      end--;
    }
    return payload.substring(0, end);
  }

  private static byte[] utf8(JsonObject json) {
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** The envelope's fields; {@code payload_truncated} says whether original_payload is only the beginning. */
  public static JsonObject envelope(String payload, String encoding, boolean truncated, String reason, String topic,
      int partition, long offset, long failedAt) {
    return envelope(payload, encoding, truncated, reason, topic, null, partition, offset, failedAt);
  }

  /**
   * {@code source_topic_id} is the ID of the log the message was read from (null when not known: dead letters
   * stored before the ID was recorded). A topic created again reuses offsets, so two dead letters can share topic,
   * partition and offset, and with them the message key; the ID tells them apart.
   */
  public static JsonObject envelope(String payload, String encoding, boolean truncated, String reason, String topic,
      String topicId, int partition, long offset, long failedAt) {
    return new JsonObject()
        .put("original_payload", payload)
        .put("payload_encoding", encoding)
        .put("payload_truncated", truncated)
        .put("error_reason", reason)
        .put("source_topic", topic)
        .put("source_topic_id", topicId)
        .put("source_partition", partition)
        .put("source_offset", offset)
        .put("failed_at", failedAt)
        .put("failed_at_iso", iso(failedAt));
  }

  public static String key(String topic, int partition, long offset) {
    return topic + ":" + partition + ":" + offset;
  }
}
