package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replay sends what the DLQ stored: the text form must give back the original bytes exactly. */
class DeadLetterPayloadRoundTripTest {

  @Test
  void anyBytesComeBackExactly() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      byte[] original = new byte[random.nextInt(64)];
      random.nextBytes(original);
      if (i % 3 == 0) {
        // mostly text, now and then a multi-byte character, a NUL or a lone continuation byte
        for (int j = 0; j < original.length; j++) {
          original[j] = (byte) (0x20 + random.nextInt(0x5f));
        }
        if (original.length > 3 && i % 2 == 0) {
          original[1] = (byte) 0xC3;
          original[2] = (byte) 0xA9;
        }
        if (original.length > 5 && i % 5 == 0) {
          original[4] = i % 10 == 0 ? 0 : (byte) 0x80;
        }
      }
      String[] stored = DeadLetterRows.payloadText(original);
      assertArrayEquals(original, DeadLetterRows.payloadBytes(stored[0], stored[1]), stored[1] + " " + stored[0]);
    }
  }

  @Test
  void textIsKeptAsTextAndTheRestAsBase64() {
    assertEquals("utf8", DeadLetterRows.payloadText("héllo 😀".getBytes(StandardCharsets.UTF_8))[1]);
    assertEquals("base64", DeadLetterRows.payloadText(new byte[] {'a', 0, 'b'})[1]);
    assertEquals("base64", DeadLetterRows.payloadText(new byte[] {(byte) 0xC3, 0x28})[1]);
    // a surrogate encoded on its own (CESU-8) is not valid UTF-8, so it cannot be stored as text and altered
    assertEquals("base64", DeadLetterRows.payloadText(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})[1]);
    assertArrayEquals(new byte[0], DeadLetterRows.payloadBytes("", "utf8"));
    assertThrows(IllegalArgumentException.class, () -> DeadLetterRows.payloadBytes("x", "latin1"));
  }
}
