package io.streampipeline.dashboard;

import io.streampipeline.config.ProcessIdentity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the pipeline's consumer group is, from Kafka alone, so it is right whichever processes run the
 * lanes: per partition of clickstream.events, lag = log end offset − committed offset. The pipeline commits
 * to Kafka after each PostgreSQL checkpoint, so this is the lag standard Kafka tools show (it includes up to
 * one flush interval of events that are read but not yet committed). Rates come from the growth of the
 * log end offsets (events arriving) and of the committed offsets (events done). Not thread-safe.
 */
final class KafkaProgress {
  private static final long PARTITIONS_REFRESH_MS = 30_000;

  private final KafkaAdminClient admin;
  private final String topic;
  private final String group;
  private final RateMeter arriving = new RateMeter(10_000);
  private final RateMeter done = new RateMeter(15_000);
  /** Over the span of the dead-letter rate, so their ratio compares the same stretch of time. */
  private final RateMeter doneLastMinute = new RateMeter(StoreCounters.DEAD_LETTER_SPAN_MS);
  private List<TopicPartition> partitions = List.of();
  private long partitionsAt;
  private Map<Integer, Long> lag = Map.of();

  KafkaProgress(KafkaAdminClient admin, String topic, String group) {
    this.admin = admin;
    this.topic = topic;
    this.group = group;
  }

  Future<Void> poll(long nowMs) {
    return partitions(nowMs).compose(tps -> {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      tps.forEach(tp -> latest.put(tp, OffsetSpec.LATEST));
      Future<Map<TopicPartition, ListOffsetsResultInfo>> ends = admin.listOffsets(latest);
      Future<Map<TopicPartition, OffsetAndMetadata>> committed = admin.listConsumerGroupOffsets(group);
      return Future.all(ends, committed).map(v -> {
        update(nowMs, tps, ends.result(), committed.result());
        return null;
      });
    });
  }

  private Future<List<TopicPartition>> partitions(long nowMs) {
    if (!partitions.isEmpty() && nowMs - partitionsAt < PARTITIONS_REFRESH_MS) {
      return Future.succeededFuture(partitions);
    }
    return admin.describeTopics(List.of(topic)).map(topics -> {
      partitions = topics.get(topic).getPartitions().stream()
          .map(p -> new TopicPartition(topic, p.getPartition())).toList();
      partitionsAt = nowMs;
      return partitions;
    });
  }

  private void update(long nowMs, List<TopicPartition> tps, Map<TopicPartition, ListOffsetsResultInfo> ends,
      Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<Integer, Long> lags = new TreeMap<>();
    long endSum = 0;
    long committedSum = 0;
    for (TopicPartition tp : tps) {
      ListOffsetsResultInfo end = ends.get(tp);
      if (end == null) {
        continue;
      }
      OffsetAndMetadata at = committed.get(tp);
      // No commit yet: everything in the partition is still to do (retention aside).
      long position = at == null ? 0 : at.getOffset();
      lags.put(tp.getPartition(), Math.max(0, end.getOffset() - position));
      endSum += end.getOffset();
      committedSum += position;
    }
    lag = lags;
    arriving.record(nowMs, endSum);
    done.record(nowMs, committedSum);
    doneLastMinute.record(nowMs, committedSum);
  }

  /** The pipeline group's consumers (lanes) and the partitions each holds. */
  Future<JsonObject> lanes() {
    return admin.describeConsumerGroups(List.of(group)).map(groups -> {
      ConsumerGroupDescription description = groups.get(group);
      JsonArray members = new JsonArray();
      if (description != null && description.getMembers() != null) {
        for (MemberDescription m : description.getMembers()) {
          JsonArray partitions = new JsonArray();
          if (m.getAssignment() != null) {
            m.getAssignment().getTopicPartitions().stream().filter(tp -> tp.getTopic().equals(topic))
                .map(TopicPartition::getPartition).sorted().forEach(partitions::add);
          }
          members.add(new JsonObject().put("client_id", m.getClientId())
              .put("lane", ProcessIdentity.laneOf(m.getClientId()))
              .put("partitions", partitions));
        }
      }
      return new JsonObject().put("count", members.size()).put("members", members);
    });
  }

  /** Lag per partition number, as of the last successful poll. */
  Map<Integer, Long> lag() {
    return lag;
  }

  long totalLag() {
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }

  Double arrivingPerSecond() {
    return arriving.perSecond();
  }

  Double processedPerSecond() {
    return done.perSecond();
  }

  Double processedPerSecondLastMinute() {
    return doneLastMinute.perSecond();
  }

  String group() {
    return group;
  }
}
