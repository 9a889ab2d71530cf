package io.streampipeline.sink;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.event.EnrichedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events and dead letters that came down the lane since the last checkpoint, each partition's share marked
 * with the owner epoch it was accepted under ({@link SinkOwnership}). A refusal names the epoch it refused, and
 * only a share of that epoch goes: a checkpoint of the old epoch can be refused after the lane restored the
 * partition under a new one, and what is buffered then was read under the new epoch, whose next checkpoint moves
 * the stored offset past it.
 *
 * <p>Plain Java, used from the sink's event loop only.
 */
final class PendingRows {
  private final SinkOwnership ownership;
  private List<EnrichedEvent> events = new ArrayList<>();
  private List<DeadLetter> deadLetters = new ArrayList<>();
  /** Per partition with buffered rows: the epoch they were accepted under. */
  private Map<Integer, Long> epochs = new HashMap<>();

  PendingRows(SinkOwnership ownership) {
    this.ownership = ownership;
  }

  /** Keeps the rows of the partitions the sink accepts now; the others were read under an epoch it gave up. */
  void add(EventBatch batch) {
    // A poll's records come partition by partition: decide once per run of the same partition.
    int partition = -1;
    boolean accepted = false;
    for (EnrichedEvent e : batch.events()) {
      if (e.partition() != partition) {
        partition = e.partition();
        accepted = accepted(partition);
      }
      if (accepted) {
        events.add(e);
      }
    }
    for (DeadLetter d : batch.deadLetters()) {
      if (accepted(d.partition())) {
        deadLetters.add(d);
      }
    }
  }

  private boolean accepted(int partition) {
    long epoch = ownership.epochOf(partition);
    if (epoch < 0) {
      return false;
    }
    Long buffered = epochs.putIfAbsent(partition, epoch);
    if (buffered != null && buffered != epoch) {
      // One epoch per partition: rows of an earlier one can no longer be written.
      drop(Set.of(partition));
      epochs.put(partition, epoch);
    }
    return true;
  }

  /** Restored or revoked: whatever the partitions buffered goes, of any epoch. */
  void drop(Set<Integer> partitions) {
    events.removeIf(e -> partitions.contains(e.partition()));
    deadLetters.removeIf(d -> partitions.contains(d.partition()));
    epochs.keySet().removeAll(partitions);
  }

  /** A checkpoint was refused for these partitions under these epochs: their rows of those epochs go. */
  void refused(Map<Integer, Long> refusedEpochs) {
    Set<Integer> stale = new HashSet<>();
    refusedEpochs.forEach((p, epoch) -> {
      if (epoch.equals(epochs.get(p))) {
        stale.add(p);
      }
    });
    if (!stale.isEmpty()) {
      drop(stale);
    }
  }

  /**
   * The checkpoint with the rows buffered since the previous one, each partition's share marked with its epoch;
   * a partition in the barrier is marked with the barrier's epoch (sent before a refusal or a restore, it is left
   * out by the runner: its offsets must not move).
   */
  CheckpointJob freeze(Checkpoint checkpoint) {
    Map<Integer, Long> jobEpochs = new HashMap<>();
    checkpoint.offsets().forEach((p, range) -> jobEpochs.put(p, range.ownerEpoch()));
    epochs.forEach(jobEpochs::putIfAbsent);
    CheckpointJob job = new CheckpointJob(checkpoint.id(), events, deadLetters, checkpoint.closedWindows(),
        checkpoint.states(), checkpoint.offsets(), jobEpochs);
    events = new ArrayList<>();
    deadLetters = new ArrayList<>();
    epochs = new HashMap<>();
    return job;
  }
}
