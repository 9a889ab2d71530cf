package io.streampipeline.flinkbench;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.sink.DeadLetterRows;
import java.time.Instant;

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
    // The pipeline's own rule for the stored payload, so the stored rows compare.
    String[] text = DeadLetterRows.payloadText(d.payload());
    row.payload = text[0];
    row.payloadEncoding = text[1];
    row.failedAt = d.failedAt();
    row.failedAtIso = Instant.ofEpochMilli(d.failedAt()).toString();
    row.sourceTopicId = topicId == null ? "" : topicId;
    return row;
  }
}
