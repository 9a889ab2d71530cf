package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PIPELINE_MAX_MESSAGE_BYTES and WINDOW_MAX_FUTURE_SECONDS: defaults, values, and one-line refusals. */
class InputLimitsConfigTest {

  @Test
  void defaults() {
    InputLimits limits = ConfigLoader.fromMap(Map.of()).lanes().inputLimits();
    assertEquals(65_536, limits.maxMessageBytes());
    assertEquals(300_000, limits.maxFutureMs());
    assertEquals(InputLimits.DEFAULTS, limits);
  }

  @Test
  void givenValues() {
    InputLimits limits = ConfigLoader.fromMap(Map.of("PIPELINE_MAX_MESSAGE_BYTES", "1048576",
        "WINDOW_MAX_FUTURE_SECONDS", "0")).lanes().inputLimits();
    assertEquals(1_048_576, limits.maxMessageBytes());
    assertEquals(0, limits.maxFutureMs(), "0: an event may not be ahead of its record at all");
    assertEquals(2500,
        ConfigLoader.fromMap(Map.of("WINDOW_MAX_FUTURE_SECONDS", "2.5")).lanes().inputLimits().maxFutureMs());
  }

  @Test
  void badValuesNameTheKey() {
    assertBad("WINDOW_MAX_FUTURE_SECONDS", "-1",
        "Invalid configuration: WINDOW_MAX_FUTURE_SECONDS='-1' must be between 0 and 31536000");
    assertBad("WINDOW_MAX_FUTURE_SECONDS", "soon",
        "Invalid configuration: WINDOW_MAX_FUTURE_SECONDS='soon' is not a number");
    assertBad("PIPELINE_MAX_MESSAGE_BYTES", "0",
        "Invalid configuration: PIPELINE_MAX_MESSAGE_BYTES='0' must be between 1 and 2147483647");
    assertBad("PIPELINE_MAX_MESSAGE_BYTES", "64k",
        "Invalid configuration: PIPELINE_MAX_MESSAGE_BYTES='64k' is not a whole number");
  }

  private static void assertBad(String key, String value, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(Map.of(key, value)));
    assertEquals(message, e.getMessage());
  }
}
