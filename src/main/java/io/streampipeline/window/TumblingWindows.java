package io.streampipeline.window;

/**
 * Fixed-size, non-overlapping event-time windows aligned to the epoch: a timestamp {@code ts} belongs to
 * exactly one window {@code [start, end)} with {@code start = floor(ts / size) * size} (inclusive) and
 * {@code end = start + size} (exclusive). An end beyond {@code Long.MAX_VALUE} is clamped to it.
 */
public record TumblingWindows(long sizeMs) {

  public TumblingWindows {
    if (sizeMs <= 0) {
      throw new IllegalArgumentException("window size must be > 0, was " + sizeMs);
    }
  }

  /** The inclusive start of the window holding {@code ts}. */
  public long startFor(long ts) {
    // ts - floorMod cannot overflow, unlike floorDiv(ts, size) * size near Long.MIN_VALUE.
    return ts - Math.floorMod(ts, sizeMs);
  }

  /** The exclusive end of the window holding {@code ts}. */
  public long endFor(long ts) {
    long start = startFor(ts);
    return start > Long.MAX_VALUE - sizeMs ? Long.MAX_VALUE : start + sizeMs;
  }
}
