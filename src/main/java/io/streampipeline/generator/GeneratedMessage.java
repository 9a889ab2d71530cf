package io.streampipeline.generator;

import io.streampipeline.event.ClickstreamEvent;

/**
 * One Kafka message made by {@link EventFactory}, with what the pipeline is expected to do with it.
 *
 * @param key the user the message is about (also for invalid and undecodable ones, so they spread over
 *     partitions like the rest); it may differ from {@code event.userId()} when the fault is in user_id
 * @param value the Kafka record value as sent
 * @param kind what the pipeline must do with it
 * @param event what {@code value} encodes; null when {@code kind} is {@link Kind#UNDECODABLE}
 */
public record GeneratedMessage(String key, byte[] value, Kind kind, ClickstreamEvent event) {

  /** The expected outcome in the pipeline (docs/design.md#processing-rules). */
  public enum Kind {
    /** Decodes, passes the rules, is not a bot: stored and counted in windows. */
    VALID,
    /** Decodes and passes the rules but its user agent is a bot's: filtered and counted, not stored. */
    BOT,
    /** Decodes but breaks a rule: goes to the DLQ with the reason. */
    INVALID,
    /** Cannot be decoded: goes to the DLQ. */
    UNDECODABLE
  }
}
