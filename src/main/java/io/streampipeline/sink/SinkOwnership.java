package io.streampipeline.sink;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which partitions the sink writes, and under which owner epoch. A partition is accepted from the moment the
 * lane restores it (with the epoch it claimed in PostgreSQL) until it is revoked or a checkpoint of that epoch
 * is refused. After a refusal nothing more of the partition is written, not even a checkpoint that ingest sent
 * before it heard of the refusal, until a new restore hands it a new epoch: that checkpoint's offsets would
 * otherwise move the stored position past events that were dropped with the refused one.
 *
 * <p>Plain Java, used from the sink's event loop only.
 */
final class SinkOwnership {
  private final Map<Integer, Long> accepting = new HashMap<>();

  void restored(int partition, long ownerEpoch) {
    accepting.put(partition, ownerEpoch);
  }

  void revoked(int partition) {
    accepting.remove(partition);
  }

  /** A checkpoint of {@code ownerEpoch} was refused: stop accepting the partition if that is still its epoch. */
  void refused(int partition, long ownerEpoch) {
    accepting.remove(partition, ownerEpoch);
  }

  boolean accepts(int partition) {
    return accepting.containsKey(partition);
  }

  boolean accepts(int partition, long ownerEpoch) {
    Long current = accepting.get(partition);
    return current != null && current == ownerEpoch;
  }

  /** The epoch data of this partition arriving now belongs to; -1 when it is not accepted. */
  long epochOf(int partition) {
    return accepting.getOrDefault(partition, -1L);
  }

  /** The partitions of {@code ownerEpochs} that may no longer be written under the epoch recorded there. */
  Set<Integer> notAccepted(Map<Integer, Long> ownerEpochs) {
    Set<Integer> stale = new HashSet<>();
    ownerEpochs.forEach((p, epoch) -> {
      if (!accepts(p, epoch)) {
        stale.add(p);
      }
    });
    return stale;
  }
}
