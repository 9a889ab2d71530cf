package io.streampipeline.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepeatedStringsTest {

  @Test
  void theSameBytesGiveTheSameInstance() throws Exception {
    RepeatedStrings repeated = new RepeatedStrings(1024);
    AvroBinaryReader reader = new AvroBinaryReader();
    reader.reset(strings("electronics", "books", "electronics"), 0);
    String first = reader.readString("c", repeated);
    String other = reader.readString("c", repeated);
    String again = reader.readString("c", repeated);
    assertEquals("electronics", first);
    assertEquals("books", other);
    assertSame(first, again, "the second electronics is the kept instance");
  }

  @Test
  void valuesThatShareTheirSampledBytesStillDecodeToThemselves() throws Exception {
    // 17 bytes that differ only in the ninth, which the hash does not sample: one set of two entries, the values
    // told apart by the comparison. Two of them stay; a third, once the set is full, is kept when it comes back
    // and replaces the least recently used.
    String a = "Mozilla/X-Linux64";
    String b = "Mozilla/Y-Linux64";
    String c = "Mozilla/Z-Linux64";
    RepeatedStrings repeated = new RepeatedStrings(1024);
    AvroBinaryReader reader = new AvroBinaryReader();
    reader.reset(strings(a, b, a, c, c, c, a, b), 0);
    String firstA = reader.readString("ua", repeated);
    String firstB = reader.readString("ua", repeated);
    assertEquals(a, firstA);
    assertEquals(b, firstB);
    assertSame(firstA, reader.readString("ua", repeated), "a and b share the set, and both are kept");
    String firstC = reader.readString("ua", repeated);
    String secondC = reader.readString("ua", repeated);
    assertEquals(c, firstC);
    assertEquals(c, secondC);
    assertNotSame(firstC, secondC, "the set was full: c seen once is not kept");
    assertSame(secondC, reader.readString("ua", repeated), "c came back, so it was kept");
    assertSame(firstA, reader.readString("ua", repeated), "a was used after b, so c replaced b");
    String secondB = reader.readString("ua", repeated);
    assertEquals(b, secondB);
    assertNotSame(firstB, secondB, "b was replaced, so it was decoded again: the three did share a set");
  }

  @Test
  void theNumberOfEntriesIsAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new RepeatedStrings(1000));
    assertThrows(IllegalArgumentException.class, () -> new RepeatedStrings(1));
  }

  @Test
  void manyDistinctValuesAreEachDecodedExactly() throws Exception {
    RepeatedStrings repeated = new RepeatedStrings(1024);
    AvroBinaryReader reader = new AvroBinaryReader();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 5_000; i++) {
        String value = "/product/P" + i + "?ref=ä" + (i % 7);
        reader.reset(strings(value), 0);
        assertEquals(value, reader.readString("page_url", repeated));
      }
    }
  }

  @Test
  void malformedBytesAreRejectedAndNeverKept() {
    RepeatedStrings repeated = new RepeatedStrings(1024);
    byte[] bad = {6, 'a', (byte) 0xC3, 'b'};
    AvroBinaryReader reader = new AvroBinaryReader();
    reader.reset(bad, 0);
    assertThrows(DecodeException.class, () -> reader.readString("geo_city", repeated));
    assertNull(repeated.find(RepeatedStrings.hash(bad, 1, 3), bad, 1, 3));
    reader.reset(bad, 0);
    assertThrows(DecodeException.class, () -> reader.readString("geo_city", repeated), "rejected again");
  }

  @Test
  void longValuesAreDecodedButNotKept() throws Exception {
    String longValue = "x".repeat(RepeatedStrings.MAX_LENGTH + 1);
    RepeatedStrings repeated = new RepeatedStrings(1024);
    AvroBinaryReader reader = new AvroBinaryReader();
    reader.reset(strings(longValue, longValue), 0);
    String first = reader.readString("user_agent", repeated);
    String second = reader.readString("user_agent", repeated);
    assertEquals(longValue, second);
    assertNotSame(first, second);
  }

  /** Avro strings back to back: zig-zag varint length, then the UTF-8 bytes. */
  private static byte[] strings(String... values) {
    AvroBinaryWriter writer = new AvroBinaryWriter();
    for (String v : values) {
      writer.writeString(v);
    }
    return writer.toByteArray();
  }
}
