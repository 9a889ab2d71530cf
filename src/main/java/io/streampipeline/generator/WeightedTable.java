package io.streampipeline.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fixed choice among values with whole-number weights: {@link #pick} returns each value with probability
 * weight / total, using exactly one {@code nextInt(total)} draw, so a seeded generator gives the same stream.
 * The generator's mix (event types, pages, faults) is written as such tables.
 */
final class WeightedTable<T> {
  private final List<T> values;
  /** Running totals of the weights: entry i is chosen for draws in [cumulative[i-1], cumulative[i]). */
  private final int[] cumulative;

  private WeightedTable(List<T> values, int[] cumulative) {
    this.values = List.copyOf(values);
    this.cumulative = cumulative;
  }

  static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** Every value equally likely. */
  @SafeVarargs
  static <T> WeightedTable<T> uniform(T... values) {
    Builder<T> builder = builder();
    for (T value : values) {
      builder.add(value, 1);
    }
    return builder.build();
  }

  T pick(SplittableRandom random) {
    return values.get(index(cumulative, random));
  }

  /** The index a draw picks from running totals of weights (for reference data kept as parallel arrays). */
  static int index(int[] cumulative, SplittableRandom random) {
    int draw = random.nextInt(cumulative[cumulative.length - 1]);
    int i = 0;
    while (draw >= cumulative[i]) {
      i++;
    }
    return i;
  }

  static final class Builder<T> {
    private final List<T> values = new ArrayList<>();
    private final List<Integer> totals = new ArrayList<>();
    private int total;

    Builder<T> add(T value, int weight) {
      if (weight <= 0) {
        throw new IllegalArgumentException("weight must be positive, was " + weight + " for " + value);
      }
      total = Math.addExact(total, weight);
      values.add(value);
      totals.add(total);
      return this;
    }

    WeightedTable<T> build() {
      if (values.isEmpty()) {
        throw new IllegalStateException("a weighted table needs at least one value");
      }
      return new WeightedTable<>(values, totals.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
