package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckpointJobTest {

  private static EnrichedEvent event(int partition, long offset) {
    return EventRules.enrich(new ClickstreamEvent("e-" + partition + "-" + offset, EventType.PAGE_VIEW, 1000 + offset,
        "u", "s", null, null, null, null, null, "https://x/", null, "Mozilla", "192.0.2.1", "US", null), partition,
        offset);
  }

  private static WindowResult window(int partition) {
    return new WindowResult("w" + partition, WindowType.EVENTS_PER_MINUTE, 0, 60_000, partition, null, null, 1, 1, 1,
        0, 0, 0, List.of(), List.of(), new String[0], new long[0], new String[0], new long[0], 0);
  }

  private static CheckpointJob job(int partitions) {
    List<EnrichedEvent> events = new ArrayList<>();
    List<DeadLetter> dead = new ArrayList<>();
    List<WindowResult> windows = new ArrayList<>();
    Map<Integer, StateWrite> snapshots = new HashMap<>();
    Map<Integer, OffsetRange> offsets = new HashMap<>();
    Map<Integer, Long> epochs = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      events.add(event(p, 10));
      events.add(event(p, 11));
      dead.add(new DeadLetter("t", p, 12, "bad", new byte[0], 0));
      windows.add(window(p));
      snapshots.put(p, p % 2 == 0 ? StateWrite.full(new byte[] {(byte) p}) : StateWrite.delta(p, new byte[] {(byte) p}));
      offsets.put(p, new OffsetRange(1, 10, 13));
      epochs.put(p, 1L);
    }
    return new CheckpointJob(9, events, dead, windows, snapshots, offsets, epochs);
  }

  @Test
  void groupsAreCompleteForTheirPartitionsAndDisjoint() {
    List<CheckpointJob> groups = job(6).partitionGroups(2);
    assertEquals(2, groups.size());
    assertEquals(Set.of(0, 2, 4), groups.get(0).offsets().keySet());
    assertEquals(Set.of(1, 3, 5), groups.get(1).offsets().keySet());
    for (CheckpointJob group : groups) {
      Set<Integer> mine = group.offsets().keySet();
      assertEquals(6, group.events().size());
      assertTrue(group.events().stream().allMatch(e -> mine.contains(e.partition())));
      assertTrue(group.deadLetters().stream().allMatch(d -> mine.contains(d.partition())));
      assertTrue(group.windows().stream().allMatch(w -> mine.contains(w.partition())));
      assertEquals(mine, group.states().keySet());
      assertEquals(mine, group.ownerEpochs().keySet());
      assertEquals(9, group.id());
    }
  }

  @Test
  void aSinglePartitionMakesOneGroupAndAnEmptyJobStillOne() {
    assertEquals(1, job(1).partitionGroups(2).size());
    List<CheckpointJob> empty = job(0).partitionGroups(2);
    assertEquals(1, empty.size());
    assertTrue(empty.get(0).isEmpty());
  }

  @Test
  void everyRowLandsInExactlyOneGroupInItsOrder() {
    CheckpointJob job = job(5);
    List<CheckpointJob> groups = job.partitionGroups(3);
    assertEquals(3, groups.size());
    assertEquals(job.events().size(), groups.stream().mapToInt(g -> g.events().size()).sum());
    assertEquals(job.deadLetters().size(), groups.stream().mapToInt(g -> g.deadLetters().size()).sum());
    assertEquals(job.windows().size(), groups.stream().mapToInt(g -> g.windows().size()).sum());
    assertEquals(job.events().stream().filter(e -> e.partition() % 3 == 1).toList(), groups.get(1).events());
  }

  @Test
  void aPartitionWithOnlyStateToWriteKeepsItInExactlyOneGroup() {
    CheckpointJob two = job(2);
    Map<Integer, StateWrite> states = new HashMap<>(two.states());
    states.put(2, StateWrite.full(new byte[] {2}));
    CheckpointJob job = new CheckpointJob(two.id(), two.events(), two.deadLetters(), two.windows(), states,
        two.offsets(), two.ownerEpochs());
    List<CheckpointJob> groups = job.partitionGroups(3);
    assertEquals(1, groups.stream().filter(g -> g.states().containsKey(2)).count(),
        "partition 2's state is written once: " + groups);
    assertEquals(3, groups.stream().mapToLong(CheckpointJob::stateBytes).sum());
  }

  @Test
  void withoutDropsEveryShareOfThePartitions() {
    CheckpointJob rest = job(3).without(Set.of(1));
    assertEquals(Set.of(0, 2), rest.offsets().keySet());
    assertEquals(4, rest.events().size());
    assertEquals(2, rest.windows().size());
    assertEquals(2, rest.deadLetters().size());
    assertEquals(Set.of(0, 2), rest.ownerEpochs().keySet());
    assertEquals(2, rest.stateBytes(), "two one-byte snapshots");
  }
}
