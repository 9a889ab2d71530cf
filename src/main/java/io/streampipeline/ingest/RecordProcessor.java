package io.streampipeline.ingest;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.List;

/**
 * Runs the processing rules of docs/design.md#processing-rules on one Kafka record, in their order: decode,
 * validate, filter
 * bots, normalize, enrich. Stored events and dead letters are appended to the caller's lists; bots are only
 * counted. No Vert.x types: the processing chain benchmark drives it directly. One instance per thread.
 */
public final class RecordProcessor {
  private final ClickstreamCodec codec = new ClickstreamCodec();
  private final UserAgentClassifier agents = new UserAgentClassifier();
  private final String topic;
  private final PipelineMetrics metrics;

  public RecordProcessor(String topic, PipelineMetrics metrics) {
    this.topic = topic;
    this.metrics = metrics;
  }

  public ClickstreamCodec codec() {
    return codec;
  }

  public void process(byte[] value, int partition, long offset, List<EnrichedEvent> stored,
      List<DeadLetter> deadLetters) {
    ClickstreamEvent event;
    try {
      event = codec.decode(value);
    } catch (DecodeException e) {
      metrics.consumedUndecodable();
      metrics.failed("decode");
      deadLetters.add(deadLetter(value, partition, offset, e.getMessage()));
      return;
    }
    metrics.consumed(event.eventType());
    String invalid = EventRules.invalidReason(event);
    if (invalid != null) {
      metrics.failed("validate");
      deadLetters.add(deadLetter(value, partition, offset, invalid));
      return;
    }
    int agent = agents.classify(event.userAgent());
    if ((agent & UserAgentClassifier.BOT) != 0) {
      metrics.bot();
      return;
    }
    boolean mobile = (agent & UserAgentClassifier.MOBILE) != 0;
    stored.add(EventRules.enrich(EventRules.normalize(event), mobile, partition, offset));
  }

  private DeadLetter deadLetter(byte[] value, int partition, long offset, String reason) {
    return new DeadLetter(topic, partition, offset, reason, value == null ? new byte[0] : value,
        System.currentTimeMillis());
  }
}
