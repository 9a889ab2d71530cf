package io.streampipeline.sink;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The DLQ envelope (docs/design.md#dead-letters): the original payload as UTF-8 text when it is valid UTF-8 without
 * NUL,
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
