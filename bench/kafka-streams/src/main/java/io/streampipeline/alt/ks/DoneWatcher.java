package io.streampipeline.alt.ks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells when the job is done: every record of the events topic is processed and committed, which with
 * exactly_once_v2 means its consumer group's committed offsets equal the topic's end offsets (offsets are
 * committed in the same transaction as everything the records produced).
 *
 * <p>The windows are computed in a second stage that reads the repartition topics, so done also needs those
 * topics consumed and committed to their end: otherwise "done" would be declared while the window stage still
 * had a backlog. Their end offsets are read after the events topic is complete, when nothing more is written
 * to them.
 */
final class DoneWatcher {
  private final Admin admin;
  private final String group;
  private final String topic;
  private final long records;
  private final String repartitionPrefix;
  private List<TopicPartition> repartitionPartitions;

  DoneWatcher(Admin admin, String group, String topic, long records) {
    this.admin = admin;
    this.group = group;
    this.topic = topic;
    this.records = records;
    this.repartitionPrefix = group + "-";
  }

  /** One check; true when the events topic and the repartition topics are committed to their end. */
  boolean done() throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    long inputCommitted = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
      if (e.getKey().topic().equals(topic) && e.getValue() != null) {
        inputCommitted += e.getValue().offset();
      }
    }
    if (inputCommitted < records) {
      return false;
    }
    Map<TopicPartition, OffsetSpec> repartition = new HashMap<>();
    for (TopicPartition tp : repartitionPartitions()) {
      repartition.put(tp, OffsetSpec.latest());
    }
    var ends = admin.listOffsets(repartition).all().get();
    for (var e : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      // A partition the window stage never committed has offset 0: done only if nothing was written to it.
      if ((c == null ? 0 : c.offset()) < e.getValue().offset()) {
        return false;
      }
    }
    return true;
  }

  /** Every partition of this application's repartition topics (Kafka Streams names them group-...-repartition). */
  private List<TopicPartition> repartitionPartitions() throws ExecutionException, InterruptedException {
    if (repartitionPartitions == null) {
      List<String> names = admin.listTopics().names().get().stream()
          .filter(t -> t.startsWith(repartitionPrefix) && t.endsWith("-repartition")).toList();
      List<TopicPartition> partitions = new ArrayList<>();
      admin.describeTopics(names).allTopicNames().get().forEach((name, d) ->
          d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
      repartitionPartitions = partitions;
    }
    return repartitionPartitions;
  }
}
