package io.streampipeline.sink;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Taking over partitions: claims a new owner epoch for each and reads its stored position and state. */
public final class CheckpointClaims {
  /**
   * What a claim found: {@code nextOffset} -1 when the partition was never checkpointed; the window state as the
   * base snapshot (null: none) and the deltas stored on it, in seq order (docs/design.md#window-state-storage);
   * {@code storedChanges} is how many deltas the checkpoint row says there are. {@code topicId} is the ID of the
   * topic whose log {@code nextOffset} belongs to (null: not recorded) and {@code leaderEpoch} the leader epoch of
   * the last record read before it (-1: not recorded).
   */
  public record Claimed(long ownerEpoch, long nextOffset, byte[] snapshot, List<byte[]> changes,
      long storedChanges, String topicId, int leaderEpoch) {
    public Claimed(long ownerEpoch, long nextOffset, byte[] snapshot, List<byte[]> changes, long storedChanges) {
      this(ownerEpoch, nextOffset, snapshot, changes, storedChanges, null, -1);
    }

    public Claimed(long ownerEpoch, long nextOffset, byte[] snapshot) {
      this(ownerEpoch, nextOffset, snapshot, List.of(), 0);
    }
  }

  private CheckpointClaims() {
  }

  /**
   * The claim and the read of the stored deltas run in one transaction: the claim's row lock on each
   * partition's checkpoint row is held until both are read, and a checkpoint of the previous owner (which would
   * have to update that row) either committed before (its delta is read here) or waits and is then refused by
   * the new epoch. Base and deltas are therefore always of the same stored state.
   */
  public static Future<Map<Integer, Claimed>> claim(Pool pool, String consumerGroup, String topic,
      Set<Integer> partitions) {
    Integer[] claimedPartitions = partitions.toArray(new Integer[0]);
    return pool.withTransaction(conn -> conn.preparedQuery(SinkSql.CLAIM_PARTITIONS)
        .execute(Tuple.of(consumerGroup, topic, claimedPartitions))
        .compose(claims -> conn.preparedQuery(SinkSql.READ_STATE_CHANGES)
            .execute(Tuple.of(consumerGroup, topic, claimedPartitions))
            .map(changeRows -> {
              Map<Integer, List<byte[]>> changes = new HashMap<>();
              for (Row row : changeRows) {
                changes.computeIfAbsent(row.getInteger("partition"), p -> new ArrayList<>())
                    .add(row.getBuffer("changes").getBytes());
              }
              Map<Integer, Claimed> claimed = new HashMap<>();
              for (Row row : claims) {
                int partition = row.getInteger("partition");
                Buffer snapshot = row.getBuffer("state_snapshot");
                Integer leaderEpoch = row.getInteger("leader_epoch");
                claimed.put(partition, new Claimed(row.getLong("owner_epoch"), row.getLong("next_offset"),
                    snapshot == null ? null : snapshot.getBytes(), changes.getOrDefault(partition, List.of()),
                    row.getLong("state_changes"), row.getString("topic_id"), leaderEpoch == null ? -1 : leaderEpoch));
              }
              return claimed;
            })));
  }
}
