package io.streampipeline.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CountMapTest {

  /**
   * Small tallies (sorted in place) and large ones (sorted through an index) give the same order: count
   * descending, ties by key; with many ties, since the counts are drawn from a few values.
   */
  @Test
  void sortedIsByCountDescendingThenKeyForSmallAndLargeTallies() {
    Random random = new Random(42);
    for (int size : new int[] {0, 1, 2, 3, 15, 16, 17, 40, 600}) {
      CountMap map = new CountMap(4);
      Map<String, Long> expected = new TreeMap<>();
      for (int i = 0; i < size; i++) {
        String key = "p" + random.nextInt(100_000);
        long n = 1 + random.nextInt(4);
        map.add(key, n);
        expected.merge(key, n, Long::sum);
      }
      List<Map.Entry<String, Long>> order = new ArrayList<>(expected.entrySet());
      order.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
          .thenComparing(Map.Entry::getKey));
      CountMap.Sorted sorted = map.sorted();
      assertEquals(order.size(), map.size());
      assertArrayEquals(order.stream().map(Map.Entry::getKey).toArray(String[]::new), sorted.keys(), "size " + size);
      assertArrayEquals(order.stream().mapToLong(Map.Entry::getValue).toArray(), sorted.counts(), "size " + size);
    }
  }
}
