package io.streampipeline.ingest;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.config.InputLimits;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs the processing rules (docs/design.md#processing-rules) on one Kafka record, in their order: size check, decode, validate (on the
 * normalized event), filter bots, enrich. Stored events and dead letters are appended to the caller's lists;
 * bots are only counted. A dead letter always carries the message's bytes as received. No Vert.x types: the
 * processing chain benchmark drives it directly. One instance per thread.
 */
public final class RecordProcessor {
  private final ClickstreamCodec codec = new ClickstreamCodec();
  private final UserAgentClassifier agents = new UserAgentClassifier();
  private final String topic;
  private final PipelineMetrics metrics;
  private final InputLimits limits;
  /** Wall clock in milliseconds, for the time a dead letter is recorded at. */
  private final LongSupplier clock;
  /** The ID of the topic the records come from, recorded with each dead letter; null until known. */
  private String topicId;

  public RecordProcessor(String topic, PipelineMetrics metrics) {
    this(topic, metrics, InputLimits.DEFAULTS);
  }

  public RecordProcessor(String topic, PipelineMetrics metrics, InputLimits limits) {
    this(topic, metrics, limits, System::currentTimeMillis);
  }

  public RecordProcessor(String topic, PipelineMetrics metrics, InputLimits limits, LongSupplier clock) {
    this.topic = topic;
    this.metrics = metrics;
    this.limits = limits;
    this.clock = clock;
  }

  public ClickstreamCodec codec() {
    return codec;
  }

  /** The topic ID of the log read from now on (docs/design.md#offset-out-of-range). */
  public void topicId(String topicId) {
    this.topicId = topicId;
  }

  /** A record that is not a dead-letter replay. */
  public void process(byte[] value, int partition, long offset, long recordTimestampMs, List<EnrichedEvent> stored,
      List<DeadLetter> deadLetters) {
    process(value, partition, offset, recordTimestampMs, null, stored, deadLetters);
  }

  /**
   * @param recordTimestampMs the Kafka record's timestamp (create or log-append time); 0 or less when unknown,
   *     which skips the check of event timestamps against it
   * @param replayOf the first dead letter id when the record is a replay (its dlq.replay.of header), else null
   */
  public void process(byte[] value, int partition, long offset, long recordTimestampMs, Long replayOf,
      List<EnrichedEvent> stored, List<DeadLetter> deadLetters) {
    if (value != null && value.length > limits.maxMessageBytes()) {
      undecodable(value, partition, offset, "message of " + value.length
          + " bytes exceeds PIPELINE_MAX_MESSAGE_BYTES (" + limits.maxMessageBytes() + ")", deadLetters, replayOf);
      return;
    }
    ClickstreamEvent event;
    try {
      event = codec.decode(value);
    } catch (DecodeException e) {
      undecodable(value, partition, offset, e.getMessage(), deadLetters, replayOf);
      return;
    }
    metrics.consumed(event.eventType());
    ClickstreamEvent normalized = EventRules.normalize(event);
    String invalid = EventRules.invalidReason(normalized, recordTimestampMs, limits.maxFutureMs());
    if (invalid != null) {
      metrics.failed("validate");
      deadLetters.add(deadLetter(value, partition, offset, invalid, replayOf));
      return;
    }
    int agent = agents.classify(normalized.userAgent());
    if ((agent & UserAgentClassifier.BOT) != 0) {
      metrics.bot();
      return;
    }
    boolean mobile = (agent & UserAgentClassifier.MOBILE) != 0;
    EnrichedEvent enriched = EventRules.enrich(normalized, mobile, partition, offset, value);
    stored.add(replayOf == null ? enriched : enriched.replayOf(replayOf));
  }

  private void undecodable(byte[] value, int partition, long offset, String reason, List<DeadLetter> deadLetters,
      Long replayOf) {
    metrics.consumedUndecodable();
    metrics.failed("decode");
    deadLetters.add(deadLetter(value, partition, offset, reason, replayOf));
  }

  private DeadLetter deadLetter(byte[] value, int partition, long offset, String reason, Long replayOf) {
    return new DeadLetter(topic, partition, offset, reason, value == null ? new byte[0] : value,
        clock.getAsLong(), replayOf, topicId);
  }
}
