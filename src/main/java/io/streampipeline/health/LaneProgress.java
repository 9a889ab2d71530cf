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
   */
  public String verdict(int lanes, Map<Integer, Set<Integer>> assigned) {
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
