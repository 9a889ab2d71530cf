package io.streampipeline.sink;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.EnrichedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything one checkpoint transaction writes: the events and dead letters read since the previous
 * barrier, the windows closed meanwhile, the window state writes (full snapshots or deltas, {@link StateWrite})
 * and the offsets. {@code ownerEpochs}
 * records, per partition, the owner epoch the data was read under: only that epoch may write it.
 */
record CheckpointJob(long id, List<EnrichedEvent> events, List<DeadLetter> deadLetters,
    List<WindowResult> windows, Map<Integer, StateWrite> states, Map<Integer, OffsetRange> offsets,
    Map<Integer, Long> ownerEpochs) {

  /** The same checkpoint without these partitions' share: what is left still commits on its own. */
  CheckpointJob without(Set<Integer> partitions) {
    if (partitions.isEmpty()) {
      return this;
    }
    Map<Integer, StateWrite> keptStates = new HashMap<>(states);
    Map<Integer, OffsetRange> keptOffsets = new HashMap<>(offsets);
    Map<Integer, Long> keptEpochs = new HashMap<>(ownerEpochs);
    keptStates.keySet().removeAll(partitions);
    keptOffsets.keySet().removeAll(partitions);
    keptEpochs.keySet().removeAll(partitions);
    return new CheckpointJob(id,
        events.stream().filter(e -> !partitions.contains(e.partition())).toList(),
        deadLetters.stream().filter(d -> !partitions.contains(d.partition())).toList(),
        windows.stream().filter(w -> !partitions.contains(w.partition())).toList(),
        keptStates, keptOffsets, keptEpochs);
  }

  /**
   * The job cut into up to {@code groups} jobs by partition number modulo {@code groups}, each complete for its
   * partitions (events, dead letters, windows, state, offsets), so they can commit independently.
   */
  List<CheckpointJob> partitionGroups(int groups) {
    Set<Integer> partitions = new TreeSet<>(ownerEpochs.keySet());
    partitions.addAll(offsets.keySet());
    List<CheckpointJob> jobs = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      int group = g;
      Set<Integer> others = partitions.stream().filter(p -> Math.floorMod(p, groups) != group)
          .collect(Collectors.toSet());
      if (others.size() < partitions.size() || (g == 0 && partitions.isEmpty())) {
        jobs.add(without(others));
      }
    }
    return jobs;
  }

  CheckpointJob withEvents(List<EnrichedEvent> accepted) {
    return new CheckpointJob(id, accepted, deadLetters, windows, states, offsets, ownerEpochs);
  }

  /** Nothing to write: no rows, no state, and no offset moves. */
  boolean isEmpty() {
    return events.isEmpty() && deadLetters.isEmpty() && windows.isEmpty()
        && states.values().stream().allMatch(s -> s == null)
        && offsets.values().stream().allMatch(r -> r.previous() == r.next());
  }

  long stateBytes() {
    return states.values().stream().mapToLong(s -> s == null ? 0 : s.size()).sum();
  }
}
