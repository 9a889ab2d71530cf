package io.streampipeline.bus;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.window.WindowResult;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What flows down a lane, in order: ingest → window → sink. Control messages travel on the same path as the
 * events so each verticle sees them at the right point of the stream (a barrier after exactly the events
 * before it).
 */
public sealed interface LaneMessage {

  /** The outcome of one Kafka poll: stored events (valid, not bots) and dead letters, in offset order. */
  record EventBatch(List<EnrichedEvent> events, List<DeadLetter> deadLetters) implements LaneMessage {
  }

  /**
   * Checkpoint {@code id}: every event before it is accounted for; per partition, the offset stored now
   * (previous, -1 when none) and the next offset to read.
   */
  record Barrier(long id, Map<Integer, OffsetRange> offsets) implements LaneMessage {
  }

  /** A barrier after the window verticle added its part: state as of the barrier and windows closed since. */
  record Checkpoint(long id, Map<Integer, OffsetRange> offsets, Map<Integer, byte[]> snapshots,
      List<WindowResult> closedWindows) implements LaneMessage {
  }

  /** This lane now owns these partitions, starting from these snapshots (null: empty state). */
  record PartitionsRestored(Map<Integer, byte[]> snapshots) implements LaneMessage {
  }

  /** This lane no longer owns these partitions: drop their state and anything not yet written. */
  record PartitionsRevoked(Set<Integer> partitions) implements LaneMessage {
  }

  /** The partition has been caught up and quiet: event time may follow the wall clock. */
  record IdleAdvance(int partition, long wallClockMs) implements LaneMessage {
  }

  record OffsetRange(long previous, long next) {
  }
}
