package io.streampipeline.alt.ks;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.ingest.RecordProcessor;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The pipeline's per-record work (decode, validate, drop bots, normalize, enrich) by its own
 * {@link RecordProcessor}, one per task. A stored event goes on to the windows keyed by its source partition and
 * stamped with its event time (Kafka Streams windows by record timestamp); a dead letter is only counted, since
 * this job writes no database and no DLQ topic. The counts are kept in the {@link RecordCounts} store.
 */
final class RulesProcessor extends ContextualProcessor<byte[], byte[], Integer, WindowEvent> {
  private final RecordProcessor rules;
  private final JobCounters counters;
  private final List<EnrichedEvent> stored = new ArrayList<>(1);
  private final List<DeadLetter> deadLetters = new ArrayList<>(1);
  private KeyValueStore<Integer, byte[]> countStore;
  private int partition;
  private RecordCounts counts;

  RulesProcessor(String topic, PipelineMetrics metrics, JobCounters counters) {
    this.rules = new RecordProcessor(topic, metrics);
    this.counters = counters;
  }

  @Override
  public void init(ProcessorContext<Integer, WindowEvent> context) {
    super.init(context);
    countStore = context.getStateStore(RecordCounts.STORE);
    // This sub-topology reads one topic, so a task is one of its partitions. After a retry the store is back at
    // the last commit, and so are the counts read here.
    partition = context.taskId().partition();
    counts = RecordCounts.fromBytes(countStore.get(partition));
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    counters.recordRead();
    RecordMetadata where = context().recordMetadata().orElseThrow();
    stored.clear();
    deadLetters.clear();
    // record.timestamp() is still the Kafka record's own timestamp here, which the future-timestamp rule needs.
    rules.process(record.value(), where.partition(), where.offset(), record.timestamp(), stored, deadLetters);
    counts = counts.plus(1, stored.size(), deadLetters.size());
    countStore.put(partition, counts.toBytes());
    for (EnrichedEvent e : stored) {
      WindowEvent w = WindowEvent.of(e);
      context().forward(new Record<>(w.partition(), w, w.timestamp()));
    }
  }
}
