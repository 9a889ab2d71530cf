package io.streampipeline.config;

/** PIPELINE_INSTANCES, the in-flight limits, PIPELINE_OFFSET_OUT_OF_RANGE and the input limits. */
final class LaneReader {
  private LaneReader() {
  }

  static LaneSettings read(ConfigSource in) {
    int instances = in.whole(ConfigKey.PIPELINE_INSTANCES, 1, 64);
    long maxInFlightEvents = in.wholeLong(ConfigKey.PIPELINE_MAX_IN_FLIGHT_EVENTS, 1, Long.MAX_VALUE);
    long maxInFlightBytes = in.wholeLong(ConfigKey.PIPELINE_MAX_IN_FLIGHT_BYTES, 1 << 20, Long.MAX_VALUE);
    PipelineConfig.OffsetOutOfRange offsetOutOfRange =
        in.named(ConfigKey.PIPELINE_OFFSET_OUT_OF_RANGE, PipelineConfig.OffsetOutOfRange.class);
    InputLimits inputLimits = new InputLimits(in.whole(ConfigKey.PIPELINE_MAX_MESSAGE_BYTES, 1, Integer.MAX_VALUE),
        in.millis(ConfigKey.WINDOW_MAX_FUTURE_SECONDS, 0));
    return new LaneSettings(instances, maxInFlightEvents, offsetOutOfRange, maxInFlightBytes, inputLimits);
  }
}
