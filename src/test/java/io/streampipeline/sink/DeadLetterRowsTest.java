package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DLQ envelope on the topic: whole when it fits, else the payload cut so the JSON stays under the cap. */
class DeadLetterRowsTest {
  private static final int LIMIT = DeadLetterRows.MAX_ENVELOPE_BYTES;

  private static byte[] envelopeOf(byte[] payload) {
    String[] text = DeadLetterRows.payloadText(payload);
    return DeadLetterRows.envelopeJson(text[0], text[1], "message of " + payload.length
        + " bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (65536)", "clickstream.events", 3, 1234L, 1_790_000_000_000L);
  }

  private static JsonObject parsed(byte[] json) {
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  @Test
  void smallEnvelopeIsWholeAndSaysSo() {
    byte[] payload = "not avro".getBytes(StandardCharsets.UTF_8);
    JsonObject json = parsed(envelopeOf(payload));
    assertEquals("not avro", json.getString("original_payload"));
    assertEquals("utf8", json.getString("payload_encoding"));
    assertFalse(json.getBoolean("payload_truncated"));
    assertEquals("clickstream.events", json.getString("source_topic"));
    assertEquals(3, json.getInteger("source_partition"));
    assertEquals(1234L, json.getLong("source_offset"));
    assertEquals("2026-09-21T14:13:20Z", json.getString("failed_at_iso"));
  }

  @Test
  void controlCharactersSixTimesLongerWhenEscapedAreCut() {
    byte[] payload = new byte[175_000];
    Arrays.fill(payload, (byte) 0x01);
    String[] text = DeadLetterRows.payloadText(payload);
    assertEquals("utf8", text[1]);
    assertTrue(new JsonObject().put("p", text[0]).encode().length() > 1_048_576,
        "uncut, the envelope would be over Kafka's default 1 MiB");
    byte[] json = envelopeOf(payload);
    assertTrue(json.length <= LIMIT, json.length + " bytes");
    assertTrue(json.length > LIMIT - 16, "cut no more than needed: " + json.length);
    JsonObject envelope = parsed(json);
    assertTrue(envelope.getBoolean("payload_truncated"));
    String cut = envelope.getString("original_payload");
    assertTrue(cut.length() > 40_000 && text[0].startsWith(cut), "a prefix of the payload: " + cut.length());
    assertEquals("utf8", envelope.getString("payload_encoding"));
    assertEquals("message of 175000 bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (65536)",
        envelope.getString("error_reason"));
  }

  @Test
  void base64PayloadIsCutToWholeGroupsThatDecodeToTheFirstBytes() {
    byte[] payload = new byte[800_000];
    new Random(7).nextBytes(payload);
    payload[0] = (byte) 0xFF;
    byte[] json = envelopeOf(payload);
    assertTrue(json.length <= LIMIT, json.length + " bytes");
    JsonObject envelope = parsed(json);
    assertEquals("base64", envelope.getString("payload_encoding"));
    assertTrue(envelope.getBoolean("payload_truncated"));
    String cut = envelope.getString("original_payload");
    assertEquals(0, cut.length() % 4);
    byte[] first = Base64.getDecoder().decode(cut);
    assertTrue(first.length > 150_000, first.length + " bytes kept");
    assertArrayEquals(Arrays.copyOf(payload, first.length), first);
  }

  @Test
  void textIsNeverCutInsideACharacter() {
    for (int limit = 300; limit < 340; limit++) {
      String payload = "😀".repeat(200);
      byte[] json = DeadLetterRows.envelopeJson(payload, "utf8", "r", "t", 0, 0, 0, limit);
      assertTrue(json.length <= limit, limit + ": " + json.length);
      JsonObject envelope = parsed(json);
      assertTrue(envelope.getBoolean("payload_truncated"));
      String cut = envelope.getString("original_payload");
      assertEquals(0, cut.length() % 2, "whole surrogate pairs only");
      assertTrue(payload.startsWith(cut));
      assertArrayEquals(cut.getBytes(StandardCharsets.UTF_8),
          new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void exactlyAtTheLimitIsNotCut() {
    String payload = "a".repeat(1000);
    int whole = DeadLetterRows.envelopeJson(payload, "utf8", "r", "t", 0, 0, 0, Integer.MAX_VALUE).length;
    JsonObject atLimit = parsed(DeadLetterRows.envelopeJson(payload, "utf8", "r", "t", 0, 0, 0, whole));
    assertFalse(atLimit.getBoolean("payload_truncated"));
    JsonObject below = parsed(DeadLetterRows.envelopeJson(payload, "utf8", "r", "t", 0, 0, 0, whole - 1));
    assertTrue(below.getBoolean("payload_truncated"));
  }
}
