package io.streampipeline.flinkbench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.ingest.RecordProcessor;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs the pipeline's own per-record rules (ingest/RecordProcessor: size check, decode, validate, bots,
 * normalize, enrich) inside the Kafka source, so that each record leaves the source with its event time known
 * and the per-split watermark generator sees it. One instance per source reader; the processor is built in
 * {@link #open} because it is not serializable.
 */
final class RecordDecoder implements KafkaRecordDeserializationSchema<Parsed> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String topicId;
  private transient RecordProcessor processor;
  private transient List<EnrichedEvent> stored;
  private transient List<DeadLetter> deadLetters;

  RecordDecoder(String topic, String topicId) {
    this.topic = topic;
    this.topicId = topicId;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    processor = new RecordProcessor(topic, new PipelineMetrics(new SimpleMeterRegistry()));
    processor.topicId(topicId);
    stored = new ArrayList<>(1);
    deadLetters = new ArrayList<>(1);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Parsed> out) {
    StartSignal.recordProcessed();
    stored.clear();
    deadLetters.clear();
    processor.process(record.value(), record.partition(), record.offset(), record.timestamp(), stored,
        deadLetters);
    if (!stored.isEmpty()) {
      out.collect(Parsed.event(EventRow.of(stored.get(0))));
    } else if (!deadLetters.isEmpty()) {
      out.collect(Parsed.deadLetter(DeadLetterRow.of(deadLetters.get(0), topicId)));
    } else {
      out.collect(Parsed.bot());
    }
  }

  @Override
  public TypeInformation<Parsed> getProducedType() {
    return TypeInformation.of(Parsed.class);
  }
}
