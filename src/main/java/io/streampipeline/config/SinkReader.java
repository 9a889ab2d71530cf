package io.streampipeline.config;

/** SINK_BATCH_SIZE, SINK_FLUSH_INTERVAL_SECONDS and SINK_MAX_DELAY_MS. */
final class SinkReader {
  private SinkReader() {
  }

  static SinkSettings read(ConfigSource in) {
    int batchSize = in.whole(ConfigKey.SINK_BATCH_SIZE, 1, 1_000_000);
    long flushIntervalMs = in.millis(ConfigKey.SINK_FLUSH_INTERVAL_SECONDS, 0.001);
    long maxDelayMs = in.wholeLong(ConfigKey.SINK_MAX_DELAY_MS, 0, 3_600_000);
    return new SinkSettings(flushIntervalMs, batchSize, maxDelayMs);
  }
}
