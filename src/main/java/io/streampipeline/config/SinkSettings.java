package io.streampipeline.config;

/**
 * When a lane checkpoints (SINK_*): after {@code batchSize} events, at least every {@code flushIntervalMs}, and
 * no event waiting longer than {@code maxDelayMs} for its checkpoint to start (0: off). The order keeps the two
 * durations apart, so a swapped argument does not compile. Built by {@link SinkReader}.
 */
public record SinkSettings(long flushIntervalMs, int batchSize, long maxDelayMs) {
}
