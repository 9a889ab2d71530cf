package io.streampipeline.config;

/** WINDOW_TUMBLING_WINDOW_SECONDS, _REVENUE_WINDOW_, _SESSION_TIMEOUT_, _ALLOWED_LATENESS_, _IDLE_ and _IDLE_RULE. */
final class WindowReader {
  private WindowReader() {
  }

  static WindowTiming read(ConfigSource in) {
    return WindowTiming.builder()
        .tumblingMs(in.millis(ConfigKey.WINDOW_TUMBLING_WINDOW_SECONDS, 1))
        .revenueMs(in.millis(ConfigKey.WINDOW_REVENUE_WINDOW_SECONDS, 1))
        .sessionTimeoutMs(in.millis(ConfigKey.WINDOW_SESSION_TIMEOUT_SECONDS, 1))
        .allowedLatenessMs(in.millis(ConfigKey.WINDOW_ALLOWED_LATENESS_SECONDS, 0))
        .idleMs(in.millis(ConfigKey.WINDOW_IDLE_SECONDS, 0))
        .idleRule(in.named(ConfigKey.WINDOW_IDLE_RULE, IdleRule.class))
        .build();
  }
}
