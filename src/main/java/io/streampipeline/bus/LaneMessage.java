package io.streampipeline.bus;

import io.streampipeline.event.EnrichedEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What flows down a lane, in order: ingest → window → sink. Control messages travel on the same path as the
 * events so each verticle sees them at the right point of the stream (a barrier after exactly the events
 * before it).
 */
public sealed interface LaneMessage {

  /** The outcome of one Kafka poll: stored events (valid, not bots) and dead letters, in offset order. */
  record EventBatch(List<EnrichedEvent> events, List<DeadLetter> deadLetters) implements LaneMessage {
  }

  /**
   * Checkpoint {@code id}: every event before it is accounted for; per partition, the owner epoch the lane
   * holds, the offset stored now (previous, -1 when none) and the next offset to read.
   */
  record Barrier(long id, Map<Integer, OffsetRange> offsets) implements LaneMessage {
  }

  /**
   * A barrier after the window verticle added its part: per partition whose state changed, the state write as of
   * the barrier (a full snapshot or a delta on the previous writes: docs/design.md#window-state-storage), and the
   * windows closed since.
   */
  record Checkpoint(long id, Map<Integer, OffsetRange> offsets, Map<Integer, StateWrite> states,
      List<WindowResult> closedWindows) implements LaneMessage {
  }

  /** This lane now owns these partitions, each from its stored checkpoint; see {@link RestoredPartition}. */
  record PartitionsRestored(Map<Integer, RestoredPartition> partitions) implements LaneMessage {
  }

  /**
   * How a lane took over a partition: the owner epoch it claimed in PostgreSQL and the stored state: the full
   * snapshot (null: empty) and the deltas stored on top of it, in seq order; {@code storedChanges} is how many
   * deltas its checkpoint row counts, which a restore must find.
   */
  record RestoredPartition(long ownerEpoch, byte[] snapshot, List<byte[]> changes, long storedChanges) {
    public RestoredPartition {
      changes = List.copyOf(changes);
    }

    public RestoredPartition(long ownerEpoch, byte[] snapshot, List<byte[]> changes) {
      this(ownerEpoch, snapshot, changes, changes.size());
    }

    public RestoredPartition(long ownerEpoch, byte[] snapshot) {
      this(ownerEpoch, snapshot, List.of());
    }
  }

  /** This lane no longer owns these partitions: drop their state and anything not yet written. */
  record PartitionsRevoked(Set<Integer> partitions) implements LaneMessage {
  }

  /**
   * The partition has been caught up and without records for {@code quietMs} of wall time (counted from its last
   * record, or from its restore): its event time may move on, as far as the window verticle's idle rule allows.
   */
  record IdleAdvance(int partition, long wallClockMs, long quietMs) implements LaneMessage {
  }

  /**
   * One partition's share of a checkpoint. {@code ownerEpoch} is the epoch the lane claimed when it restored
   * the partition; the sink's compare-and-set requires both it and {@code previous} to be what is stored. The
   * log's identity is stored with {@code next}: {@code topicId}, the ID of the topic the lane reads (null: not
   * known), and {@code leaderEpoch}, the leader epoch of the last record read before {@code next} (-1: not known).
   */
  record OffsetRange(long ownerEpoch, long previous, long next, String topicId, int leaderEpoch) {
    public OffsetRange(long ownerEpoch, long previous, long next) {
      this(ownerEpoch, previous, next, null, -1);
    }
  }
}
