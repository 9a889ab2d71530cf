package io.streampipeline.flinkbench;

import io.streampipeline.bus.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A rejected record as a row of dead_letter_events, with the pipeline's reason text (from its RecordProcessor)
 * and its payload rule: UTF-8 text when the bytes are valid UTF-8 without NUL, else base64 (the same rule as the
 * pipeline's sink/DeadLetterRows, restated here because that class is tied to Vert.x's JSON type).
 */
public class DeadLetterRow {
  public String sourceTopic;
  public int partition;
  public long offset;
  public String reason;
  public String payload;
  public String payloadEncoding;
  public long failedAt;
  public String failedAtIso;
  public String sourceTopicId;

  public DeadLetterRow() {
  }

  static DeadLetterRow of(DeadLetter d, String topicId) {
    DeadLetterRow row = new DeadLetterRow();
    row.sourceTopic = d.sourceTopic();
    row.partition = d.partition();
    row.offset = d.offset();
    row.reason = d.reason();
    String[] text = payloadText(d.payload());
    row.payload = text[0];
    row.payloadEncoding = text[1];
    row.failedAt = d.failedAt();
    row.failedAtIso = Instant.ofEpochMilli(d.failedAt()).toString();
    row.sourceTopicId = topicId == null ? "" : topicId;
    return row;
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
      // not text: base64 below
    }
    return new String[] {Base64.getEncoder().encodeToString(payload), "base64"};
  }
}
