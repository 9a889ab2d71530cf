package io.streampipeline.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NumberedStringsTest {

  @Test
  void stringsAreNumberedInTheOrderTheyCameAndAnEqualStringFindsItsNumber() {
    NumberedStrings strings = new NumberedStrings();
    assertEquals(-1, strings.numberOrAdd("user_1"));
    assertEquals(-1, strings.numberOrAdd("user_2"));
    // An equal string that is another object (as each decoded event brings) is the same entry.
    assertEquals(0, strings.numberOrAdd(new String("user_1".toCharArray())));
    assertFalse(strings.add("user_2"));
    assertTrue(strings.add("user_3"));
    assertEquals(3, strings.size());
    assertEquals(List.of("user_1", "user_2", "user_3"),
        List.of(strings.get(0), strings.get(1), strings.get(2)));
    assertThrows(IndexOutOfBoundsException.class, () -> strings.get(3));
  }

  @Test
  void collidingHashesAndGrowthKeepEveryNumber() {
    // "Aa" and "BB" have the same hashCode, so every concatenation of them collides: long probe chains.
    List<String> colliding = new ArrayList<>();
    for (int bits = 0; bits < 1 << 10; bits++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      colliding.add(b.toString());
    }
    Random random = new Random(7);
    List<String> added = new ArrayList<>(colliding);
    for (int i = 0; i < 50_000; i++) {
      added.add("s" + random.nextInt(30_000));
    }
    NumberedStrings strings = new NumberedStrings();
    Map<String, Integer> expected = new HashMap<>();
    for (String s : added) {
      Integer known = expected.get(s);
      int number = strings.numberOrAdd(s);
      if (known == null) {
        assertEquals(-1, number, s);
        expected.put(s, expected.size());
      } else {
        assertEquals(known, number, s);
      }
    }
    assertEquals(expected.size(), strings.size());
    expected.forEach((s, n) -> assertEquals(s, strings.get(n)));
  }
}
