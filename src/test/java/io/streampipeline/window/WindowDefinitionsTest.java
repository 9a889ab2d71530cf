package io.streampipeline.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.streampipeline.bus.WindowType;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of tumbling types covers every window type except sessions, once each, with its configured size. */
class WindowDefinitionsTest {

  @Test
  void everyTumblingTypeOnceWithItsConfiguredSize() {
    WindowSettings settings = new WindowSettings(60_000, 300_000, 1_800_000, 10_000);
    List<WindowType> types = WindowDefinitions.TUMBLING.stream().map(WindowDefinitions.Tumbling::type).toList();
    assertEquals(EnumSet.complementOf(EnumSet.of(WindowType.SESSION_SUMMARY)), EnumSet.copyOf(types));
    assertEquals(types.size(), EnumSet.copyOf(types).size());
    assertEquals(List.of(60_000L, 300_000L), WindowDefinitions.TUMBLING.stream()
        .map(definition -> definition.windows(settings).sizeMs()).toList());
    assertEquals(1, WindowDefinitions.tumblingIndex(WindowType.REVENUE_PER_5MIN));
    assertEquals(-1, WindowDefinitions.tumblingIndex(WindowType.SESSION_SUMMARY));
  }
}
