package io.streampipeline.health;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which partitions each local lane has restored (offset and window state loaded from PostgreSQL), learnt from
 * the PartitionsRestored / PartitionsRevoked messages that travel down the lanes. Thread-safe: lanes run on
 * several event loops.
 */
public final class LaneProgress {
  private final Map<Integer, Set<Integer>> restored = new ConcurrentHashMap<>();

  public void restored(int lane, Set<Integer> partitions) {
    restored.computeIfAbsent(lane, l -> ConcurrentHashMap.newKeySet()).addAll(partitions);
  }

  public void revoked(int lane, Set<Integer> partitions) {
    restored.computeIfAbsent(lane, l -> ConcurrentHashMap.newKeySet()).removeAll(partitions);
  }

  public Set<Integer> restored(int lane) {
    return new TreeSet<>(restored.getOrDefault(lane, Set.of()));
  }

  /**
   * The lanes' readiness given what the consumer group says each of them is assigned ({@code assigned}: lane →
   * partitions; a lane missing from it has not joined the group yet). "UP: ..." when every lane has joined and
   * restored all it is assigned, else "DOWN: why".
   *
   * <p>{@code groupState} is the group's state as the coordinator names it. Outside "Stable" the coordinator
   * describes every member with an empty assignment, which is not "this lane has no partition" but "not known
   * yet": a process that had just joined a forming group was reported ready with partitions []. So any state
   * but Stable is DOWN, which also keeps a rollout waiting while the group is still handing partitions out.
   */
  public String verdict(int lanes, String groupState, Map<Integer, Set<Integer>> assigned) {
    if (!assigned.isEmpty() && !"Stable".equalsIgnoreCase(groupState)) {
      return "DOWN: the consumer group is rebalancing (state " + groupState + "), so the lanes' partitions are not"
          + " known yet";
    }
    StringBuilder waiting = new StringBuilder();
    Set<Integer> all = new TreeSet<>();
    for (int lane = 0; lane < lanes; lane++) {
      Set<Integer> mine = assigned.get(lane);
      if (mine == null) {
        waiting.append(waiting.isEmpty() ? "" : "; ").append("lane ").append(lane).append(" has not joined the group");
        continue;
      }
      Set<Integer> missing = new TreeSet<>(mine);
      missing.removeAll(restored(lane));
      if (!missing.isEmpty()) {
        waiting.append(waiting.isEmpty() ? "" : "; ").append("lane ").append(lane).append(" restoring partitions ")
            .append(missing);
      }
      all.addAll(mine);
    }
    if (!waiting.isEmpty()) {
      return "DOWN: " + waiting;
    }
    return "UP: " + lanes + (lanes == 1 ? " lane, " : " lanes, ") + "partitions " + all + " assigned and restored";
  }
}
