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
import java.util.function.ToIntFunction;

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
   * partitions (events, dead letters, windows, state, offsets), so they can commit independently. One pass over
   * the rows: a checkpoint holds thousands of events, and this runs on the sink's thread for every checkpoint.
   */
  List<CheckpointJob> partitionGroups(int groups) {
    if (groups <= 1) {
      return List.of(this);
    }
    boolean[] used = new boolean[groups];
    ownerEpochs.keySet().forEach(p -> used[Math.floorMod(p, groups)] = true);
    offsets.keySet().forEach(p -> used[Math.floorMod(p, groups)] = true);
    states.keySet().forEach(p -> used[Math.floorMod(p, groups)] = true);
    List<List<EnrichedEvent>> eventGroups = byGroup(events, EnrichedEvent::partition, groups, used);
    List<List<DeadLetter>> deadLetterGroups = byGroup(deadLetters, DeadLetter::partition, groups, used);
    List<List<WindowResult>> windowGroups = byGroup(windows, WindowResult::partition, groups, used);
    int usedGroups = 0;
    for (boolean u : used) {
      usedGroups += u ? 1 : 0;
    }
    if (usedGroups <= 1) {
      return List.of(this);
    }
    List<CheckpointJob> jobs = new ArrayList<>(usedGroups);
    for (int g = 0; g < groups; g++) {
      if (used[g]) {
        jobs.add(new CheckpointJob(id, eventGroups.get(g), deadLetterGroups.get(g), windowGroups.get(g),
            ofGroup(states, g, groups), ofGroup(offsets, g, groups), ofGroup(ownerEpochs, g, groups)));
      }
    }
    return jobs;
  }

  private static <T> List<List<T>> byGroup(List<T> rows, ToIntFunction<T> partition, int groups, boolean[] used) {
    List<List<T>> byGroup = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      byGroup.add(new ArrayList<>());
    }
    for (T row : rows) {
      int g = Math.floorMod(partition.applyAsInt(row), groups);
      byGroup.get(g).add(row);
      used[g] = true;
    }
    return byGroup;
  }

  private static <V> Map<Integer, V> ofGroup(Map<Integer, V> byPartition, int group, int groups) {
    Map<Integer, V> kept = new HashMap<>();
    byPartition.forEach((p, v) -> {
      if (Math.floorMod(p, groups) == group) {
        kept.put(p, v);
      }
    });
    return kept;
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
