package io.streampipeline.config;

/**
 * The lanes of this process (PIPELINE_*): how many, how much each may hold uncommitted before its consumer
 * pauses, what a stored position outside the log means, and what one record may bring in. The order keeps the
 * two limits apart, so a swapped argument does not compile. Built by {@link LaneReader}.
 */
public record LaneSettings(int instances, long maxInFlightEvents, PipelineConfig.OffsetOutOfRange offsetOutOfRange,
    long maxInFlightBytes, InputLimits inputLimits) {
}
