package io.streampipeline.window;

import io.streampipeline.config.PipelineConfig;

/**
 * The event-time parameters of one partition's windows, all in milliseconds: the size of the
 * events_per_minute and revenue_per_5min tumbling windows, the session inactivity gap, and the allowed
 * lateness (how far the watermark trails the highest timestamp seen). Sizes and the timeout are positive;
 * the lateness may be zero.
 */
public record WindowSettings(long tumblingMs, long revenueMs, long sessionTimeoutMs, long allowedLatenessMs) {

  public WindowSettings {
    requirePositive("tumblingMs", tumblingMs);
    requirePositive("revenueMs", revenueMs);
    requirePositive("sessionTimeoutMs", sessionTimeoutMs);
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("allowedLatenessMs must be >= 0, was " + allowedLatenessMs);
    }
  }

  public static WindowSettings from(PipelineConfig config) {
    return new WindowSettings(config.windows().tumblingMs(), config.windows().revenueMs(),
        config.windows().sessionTimeoutMs(), config.windows().allowedLatenessMs());
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
