package io.streampipeline.bus;

import java.util.Set;

/**
 * Sink → ingest: checkpoint {@code id} is done. {@code committed} partitions are durable at the checkpoint's
 * offsets (only these may have their Kafka offsets committed); {@code fenced} partitions were refused because
 * their stored owner epoch or offset is no longer the lane's (nothing of them was written, and the sink accepts
 * nothing more of them until they are restored again). A partition in neither was left out (its state could not
 * be read, or it changed owner before the write).
 */
public record CheckpointResult(long id, Set<Integer> committed, Set<Integer> fenced, long eventsWritten) {
}
