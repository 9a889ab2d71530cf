package io.streampipeline.ingest;

import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.LaneMessage.RestoredPartition;
import io.streampipeline.ingest.LaneStateMachine.ReadFrom;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.registry.RegistryGate;
import io.streampipeline.sink.CheckpointClaims;
import io.streampipeline.sink.CheckpointClaims.Claimed;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Takes a lane's partitions over from their checkpoints in PostgreSQL: claims a new owner epoch and loads offset and
 * window state (docs/design.md, exactly-once protocol), has the {@link PositionSeeker} check the offset against the
 * log and seek, hands the state down the lane, and tells the {@link LaneStateMachine}, which pauses a partition
 * while it restores and resumes it after. A restore that fails is retried; one overtaken by a newer restore of the
 * same partition is ignored.
 */
final class PartitionRestorer {
  private static final long RETRY_MS = 1000;

  private final LaneLog log;
  private final Vertx vertx;
  private final String consumerGroup;
  private final String topic;
  private final Pool pool;
  private final PositionSeeker seeker;
  private final LaneStateMachine machine;
  private final RegistryGate registry;
  private final PipelineMetrics metrics;
  /** Learns the ID of the topic whose log is read from now on. */
  private final Consumer<String> topicIds;
  private final Consumer<LaneMessage> sendDown;

  PartitionRestorer(LaneLog log, Vertx vertx, String consumerGroup, String topic, Pool pool, PositionSeeker seeker,
      LaneStateMachine machine, RegistryGate registry, PipelineMetrics metrics, Consumer<String> topicIds,
      Consumer<LaneMessage> sendDown) {
    this.log = log;
    this.vertx = vertx;
    this.consumerGroup = consumerGroup;
    this.topic = topic;
    this.pool = pool;
    this.seeker = seeker;
    this.machine = machine;
    this.registry = registry;
    this.metrics = metrics;
    this.topicIds = topicIds;
    this.sendDown = sendDown;
  }

  /**
   * Takes partitions over from their checkpoint: stop reading them, claim a new owner epoch and load offset and
   * window state, check the offset against the log, seek, hand the state down the lane, read again. Used on
   * assignment, and for whatever the {@link LogWatch} finds.
   */
  void restore(Set<Integer> partitions) {
    if (machine.isStopping()) {
      return;
    }
    registry.forget(partitions);
    run(machine.restoring(partitions));
  }

  /** Partitions a checkpoint refused, already restoring under the numbers {@code seqs}. */
  void refused(long checkpoint, Map<Integer, Long> seqs) {
    log.warn("checkpoint {} refused for partitions {} (another owner claimed them, or the stored position moved); "
        + "restoring", checkpoint, new TreeSet<>(seqs.keySet()));
    registry.forget(seqs.keySet());
    run(seqs);
  }

  /** The claim, checks and seeks of restores begun (numbered by {@code seqs}); the machine paused the partitions. */
  private void run(Map<Integer, Long> seqs) {
    if (seqs.isEmpty()) {
      return;
    }
    Set<Integer> partitions = new TreeSet<>(seqs.keySet());
    CheckpointClaims.claim(pool, consumerGroup, topic, partitions)
        .compose(claimed -> seeker.seek(claimed, IngestVerticle.topicPartitions(topic, partitions)).map(sought -> {
          finishRestore(seqs, claimed, sought);
          return null;
        }))
        .onFailure(err -> {
          if (machine.isStopping()) {
            return;
          }
          log.warn("restoring partitions {} failed ({}); retrying in {} ms", partitions, err.toString(),
              RETRY_MS);
          vertx.setTimer(RETRY_MS, id -> {
            Set<Integer> still = machine.current(seqs);
            if (!still.isEmpty()) {
              restore(still);
            }
          });
        });
  }

  private void finishRestore(Map<Integer, Long> seqs, Map<Integer, Claimed> claimed, PositionSeeker.Sought sought) {
    Set<Integer> current = machine.current(seqs);
    if (current.isEmpty()) {
      return;
    }
    // A batch fetched before the seek and offered while the restore ran may still be held for a schema lookup: its
    // records lie anywhere past the position read from now, and handed on first they would read as a gap above it
    // and make the ledger skip the re-fetched records below them.
    registry.forget(current);
    Map<Integer, ReadFrom> reading = new HashMap<>();
    Map<Integer, RestoredPartition> restored = new HashMap<>();
    Set<Integer> held = new HashSet<>();
    Map<Integer, Long> at = new TreeMap<>();
    for (int p : current) {
      Claimed claim = claimed.get(p);
      StartPosition position = sought.positions().get(p);
      if (position.action() == StartPosition.Action.HALT) {
        held.add(p);
        continue;
      }
      reading.put(p, new ReadFrom(claim.ownerEpoch(), claim.nextOffset(), position.readFrom(), sought.topicId(),
          PositionSeeker.storedEpoch(claim, position)));
      restored.put(p, new RestoredPartition(claim.ownerEpoch(), claim.snapshot(), claim.changes(),
          claim.storedChanges()));
      at.put(p, position.readFrom());
      metrics.restored();
    }
    if (!held.isEmpty()) {
      // Whatever the lane held of them goes: nothing of a held partition is counted or written.
      sendDown.accept(new PartitionsRevoked(held));
    }
    if (!restored.isEmpty()) {
      topicIds.accept(sought.topicId());
      sendDown.accept(new PartitionsRestored(restored));
      log.info("restored partitions at offsets {}", at);
    }
    machine.restoreFinished(reading, held);
  }
}
