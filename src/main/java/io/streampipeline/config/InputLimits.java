package io.streampipeline.config;

/**
 * Bounds on what one Kafka record may bring in, applied by {@link RecordProcessor}.
 *
 * @param maxMessageBytes a longer message goes to the DLQ before it is decoded (PIPELINE_MAX_MESSAGE_BYTES)
 * @param maxFutureMs how far an event's timestamp may be ahead of its Kafka record's timestamp
 *     (WINDOW_MAX_FUTURE_SECONDS); the record timestamp is in the log, so a replay decides the same way
 */
public record InputLimits(int maxMessageBytes, long maxFutureMs) {
  /** The key table's defaults. */
  public static final InputLimits DEFAULTS = LaneReader.read(ConfigSource.empty()).inputLimits();

  public InputLimits {
    if (maxMessageBytes < 1 || maxFutureMs < 0) {
      throw new IllegalArgumentException("maxMessageBytes must be positive and maxFutureMs not negative, were "
          + maxMessageBytes + " and " + maxFutureMs);
    }
  }
}
