package io.streampipeline.bus;

import java.util.Set;

/**
 * Sink → ingest: checkpoint {@code id} is durable ({@code fenced} empty), or was refused because another
 * owner moved the offsets of {@code fenced} partitions (nothing of it was written).
 */
public record CheckpointResult(long id, Set<Integer> fenced, long eventsWritten) {
  public boolean committed() {
    return fenced.isEmpty();
  }
}
