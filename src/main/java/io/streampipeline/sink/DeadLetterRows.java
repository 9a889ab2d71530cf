package io.streampipeline.sink;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The DLQ envelope (DESIGN.md §1): the original payload as UTF-8 text when it is valid UTF-8 without NUL,
 * else base64, with payload_encoding saying which.
 */
public final class DeadLetterRows {
  private DeadLetterRows() {
  }

  /** [text, encoding] of a payload. */
  static String[] payloadText(byte[] payload) {
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

  /** The JSON message on the DLQ topic; key {@code topic:partition:offset}. */
  public static JsonObject envelope(String payload, String encoding, String reason, String topic, int partition,
      long offset, long failedAt) {
    return new JsonObject()
        .put("original_payload", payload)
        .put("payload_encoding", encoding)
        .put("error_reason", reason)
        .put("source_topic", topic)
        .put("source_partition", partition)
        .put("source_offset", offset)
        .put("failed_at", failedAt)
        .put("failed_at_iso", iso(failedAt));
  }

  public static String key(String topic, int partition, long offset) {
    return topic + ":" + partition + ":" + offset;
  }
}
