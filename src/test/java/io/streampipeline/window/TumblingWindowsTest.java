package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streampipeline.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TumblingWindowsTest {
  private final TumblingWindows minute = new TumblingWindows(MINUTE);

  @Test
  void windowsAreAlignedToTheEpochWithInclusiveStartAndExclusiveEnd() {
    assertEquals(T0, minute.startFor(T0));
    assertEquals(T0 + MINUTE, minute.endFor(T0));
    assertEquals(T0, minute.startFor(T0 + MINUTE - 1));
    assertEquals(T0 + MINUTE, minute.startFor(T0 + MINUTE));
    assertEquals(0, minute.startFor(1));
    assertEquals(MINUTE, minute.endFor(1));
    assertEquals(0, new TumblingWindows(7).startFor(6));
    assertEquals(7, new TumblingWindows(7).startFor(13));
  }

  @Test
  void extremeTimestampsDoNotOverflow() {
    long max = Long.MAX_VALUE;
    assertEquals(max - Math.floorMod(max, MINUTE), minute.startFor(max));
    assertEquals(Long.MAX_VALUE, minute.endFor(max));
    assertEquals(-MINUTE, minute.startFor(-1));
    assertEquals(Long.MIN_VALUE - Math.floorMod(Long.MIN_VALUE, MINUTE) + MINUTE,
        minute.startFor(Long.MIN_VALUE + MINUTE));
    assertEquals(Long.MAX_VALUE, new TumblingWindows(Long.MAX_VALUE).endFor(Long.MAX_VALUE - 1));
  }

  @Test
  void theSizeMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new TumblingWindows(0));
    assertThrows(IllegalArgumentException.class, () -> new TumblingWindows(-1));
  }

  @Test
  void settingsAreValidatedAndReadFromTheConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> new WindowSettings(0, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new WindowSettings(1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new WindowSettings(1, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new WindowSettings(1, 1, 1, -1));
    new WindowSettings(1, 1, 1, 0);

    assertEquals(new WindowSettings(60_000, 300_000, 1_800_000, 10_000),
        WindowSettings.from(ConfigLoader.fromMap(Map.of())));
    assertEquals(new WindowSettings(2_000, 10_000, 30_000, 0), WindowSettings.from(ConfigLoader.fromMap(Map.of(
        "WINDOW_TUMBLING_WINDOW_SECONDS", "2", "WINDOW_REVENUE_WINDOW_SECONDS", "10",
        "WINDOW_SESSION_TIMEOUT_SECONDS", "30", "WINDOW_ALLOWED_LATENESS_SECONDS", "0"))));
  }
}
