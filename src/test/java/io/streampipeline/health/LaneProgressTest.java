package io.streampipeline.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LaneProgressTest {

  @Test
  void readyOnlyWhenEveryLaneJoinedAndRestoredWhatItIsAssigned() {
    LaneProgress progress = new LaneProgress();
    assertEquals("DOWN: lane 0 has not joined the group; lane 1 has not joined the group",
        progress.verdict(2, "Stable", Map.of()));
    assertEquals("DOWN: lane 0 restoring partitions [0, 1, 2]; lane 1 has not joined the group",
        progress.verdict(2, "Stable", Map.of(0, Set.of(0, 1, 2))));
    progress.restored(0, Set.of(0, 2));
    assertEquals("DOWN: lane 0 restoring partitions [1]",
        progress.verdict(1, "Stable", Map.of(0, Set.of(0, 1, 2))));
    progress.restored(0, Set.of(1));
    progress.restored(1, Set.of(3, 4, 5));
    assertEquals("UP: 2 lanes, partitions [0, 1, 2, 3, 4, 5] assigned and restored",
        progress.verdict(2, "Stable", Map.of(0, Set.of(0, 1, 2), 1, Set.of(3, 4, 5))));
  }

  @Test
  void aRevokedAndReassignedPartitionMustBeRestoredAgain() {
    LaneProgress progress = new LaneProgress();
    progress.restored(0, Set.of(0, 1));
    progress.revoked(0, Set.of(1));
    assertEquals("DOWN: lane 0 restoring partitions [1]", progress.verdict(1, "Stable", Map.of(0, Set.of(0, 1))));
  }

  @Test
  void aLaneWithoutPartitionsIsReady() {
    assertEquals("UP: 1 lane, partitions [] assigned and restored",
        new LaneProgress().verdict(1, "Stable", Map.of(0, Set.of())));
  }

  @Test
  void whileTheGroupIsRebalancingItsEmptyAssignmentsDoNotCountAsReady() {
    // What the coordinator answered while a fresh process was joining: a member, no assignment, not Stable.
    assertEquals("DOWN: the consumer group is rebalancing (state CompletingRebalance), so the lanes' partitions"
        + " are not known yet", new LaneProgress().verdict(1, "CompletingRebalance", Map.of(0, Set.of())));
    assertEquals("DOWN: lane 0 has not joined the group", new LaneProgress().verdict(1, "Empty", Map.of()));
  }
}
