package io.streampipeline.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedTableTest {

  @Test
  void eachDrawPicksTheEntryWhoseRangeHoldsIt() {
    WeightedTable<String> table = WeightedTable.<String>builder().add("a", 50).add("b", 15).add("c", 35).build();
    SplittableRandom random = new SplittableRandom(7);
    SplittableRandom same = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      int draw = same.nextInt(100);
      assertEquals(draw < 50 ? "a" : draw < 65 ? "b" : "c", table.pick(random), "draw " + draw);
    }
  }

  @Test
  void uniformTablesAndIndexTablesUseOneDraw() {
    WeightedTable<Integer> table = WeightedTable.uniform(10, 11, 12);
    SplittableRandom random = new SplittableRandom(3);
    SplittableRandom same = new SplittableRandom(3);
    for (int i = 0; i < 1_000; i++) {
      assertEquals(10 + same.nextInt(3), table.pick(random));
      assertEquals(same.nextInt(10) < 7 ? 0 : 1, WeightedTable.index(new int[] {7, 10}, random));
    }
  }

  @Test
  void weightsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> WeightedTable.<String>builder().add("a", 0));
    assertThrows(IllegalStateException.class, () -> WeightedTable.<String>builder().build());
  }
}
