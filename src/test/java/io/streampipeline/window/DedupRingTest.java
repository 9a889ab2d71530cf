package io.streampipeline.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DedupRingTest {

  @Test
  void theIdHashIsXxh64OfTheUtf8Bytes() {
    EventIdHash hash = new EventIdHash();
    // Reference values of XXH64 with seed 0.
    assertEquals(0xEF46DB3751D8E999L, hash.hash(""));
    assertEquals(0xD24EC4F1A98C6E5BL, hash.hash("a"));
    assertEquals(0x44BC2CF5AD770999L, hash.hash("abc"));
    // Checked against lz4-java's XXHash64 when written; fixed forever because snapshots hold these hashes.
    assertEquals(0xC4255BA3D1AF5461L, hash.hash("0123456789abcdef0123456789abcdef0123"));
    assertEquals(0x1154B113EAABAF5FL, hash.hash("e5c1a2b0-4f4e-4b4a-9c71-2a3e9d3b6c10"));
  }

  @Test
  void theHashEncodesLikeGetBytes() {
    EventIdHash hash = new EventIdHash();
    String[] samples = {"événement-1", "事件-ид-😀", "x\uD800y", "\uDC00", "\uD83D", "a".repeat(1000) + "é"};
    for (String s : samples) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      assertEquals(EventIdHash.xxh64(bytes, 0, bytes.length), hash.hash(s), s);
    }
  }

  @Test
  void behavesLikeASetOfTheLastNHashes() {
    int capacity = 1_000;
    DedupRing ring = new DedupRing(capacity);
    ArrayDeque<Long> order = new ArrayDeque<>();
    Set<Long> members = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      // A small value range makes repeats, collisions in the table and hash 0 all frequent.
      long h = random.nextInt(3_000) - 1_500;
      boolean expectedNew = !members.contains(h);
      assertEquals(expectedNew, ring.add(h), "step " + i);
      if (expectedNew) {
        order.addLast(h);
        members.add(h);
        if (order.size() > capacity) {
          members.remove(order.removeFirst());
        }
      }
      if (i % 997 == 0) {
        assertArrayEquals(order.stream().mapToLong(Long::longValue).toArray(), ring.toArray());
        for (long probe = -1_600; probe < 1_600; probe += 7) {
          assertEquals(members.contains(probe), ring.contains(probe));
        }
      }
    }
    assertEquals(capacity, ring.size());
  }

  @Test
  void hashesThatShareASlotSurviveRemovals() {
    DedupRing ring = new DedupRing(3);
    long tableSize = 16;
    assertTrue(ring.add(1));
    assertTrue(ring.add(1 + tableSize));
    assertTrue(ring.add(1 + 2 * tableSize));
    assertTrue(ring.add(2));
    assertFalse(ring.contains(1));
    assertTrue(ring.contains(1 + tableSize));
    assertTrue(ring.contains(1 + 2 * tableSize));
    assertTrue(ring.contains(2));
  }
}
