package io.streampipeline.sink;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Taking over partitions: claims a new owner epoch for each and reads its stored position and state. */
public final class CheckpointClaims {
  /** What a claim found: {@code nextOffset} -1 when the partition was never checkpointed. */
  public record Claimed(long ownerEpoch, long nextOffset, byte[] snapshot) {
  }

  private CheckpointClaims() {
  }

  public static Future<Map<Integer, Claimed>> claim(Pool pool, String consumerGroup, String topic,
      Set<Integer> partitions) {
    return pool.preparedQuery(SinkSql.CLAIM_PARTITIONS)
        .execute(Tuple.of(consumerGroup, topic, partitions.toArray(new Integer[0])))
        .map(rows -> {
          Map<Integer, Claimed> claimed = new HashMap<>();
          for (Row row : rows) {
            Buffer snapshot = row.getBuffer("state_snapshot");
            claimed.put(row.getInteger("partition"), new Claimed(row.getLong("owner_epoch"),
                row.getLong("next_offset"), snapshot == null ? null : snapshot.getBytes()));
          }
          return claimed;
        });
  }
}
