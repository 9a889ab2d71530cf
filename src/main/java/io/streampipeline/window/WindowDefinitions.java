package io.streampipeline.window;

import io.streampipeline.bus.WindowType;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The tumbling window types a partition keeps, and where each one's size comes from. This table is the one place
 * a new tumbling type is added: {@link PartitionWindows} counts, closes and snapshots every entry, in this order.
 * Sessions are not in it; they have rules of their own.
 */
public final class WindowDefinitions {

  /** One tumbling window type and its size, in milliseconds, taken from the settings. */
  public record Tumbling(WindowType type, ToLongFunction<WindowSettings> size) {
    public TumblingWindows windows(WindowSettings settings) {
      return new TumblingWindows(size.applyAsLong(settings));
    }
  }

  public static final List<Tumbling> TUMBLING = List.of(
      new Tumbling(WindowType.EVENTS_PER_MINUTE, WindowSettings::tumblingMs),
      new Tumbling(WindowType.REVENUE_PER_5MIN, WindowSettings::revenueMs));

  private WindowDefinitions() {
  }

  /** The position of {@code type} in {@link #TUMBLING}, or -1 when it is not a tumbling type. */
  public static int tumblingIndex(WindowType type) {
    for (int i = 0; i < TUMBLING.size(); i++) {
      if (TUMBLING.get(i).type() == type) {
        return i;
      }
    }
    return -1;
  }
}
