package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PendingRowsTest {
  private final SinkOwnership ownership = new SinkOwnership();
  private final PendingRows pending = new PendingRows(ownership);

  private static EnrichedEvent event(int partition, long offset) {
    return EventRules.enrich(new ClickstreamEvent("e-" + partition + "-" + offset, EventType.PAGE_VIEW, 1_000 + offset,
        "u", "s", null, null, null, null, null, "https://x/", null, "Mozilla", "192.0.2.1", "US", null), partition,
        offset);
  }

  private static DeadLetter deadLetter(int partition, long offset) {
    return new DeadLetter("t", partition, offset, "not JSON", new byte[] {'{'}, 0);
  }

  private CheckpointJob freeze(Map<Integer, OffsetRange> offsets) {
    return pending.freeze(new Checkpoint(1, offsets, Map.of(), List.of()));
  }

  private static List<String> ids(CheckpointJob job) {
    return job.events().stream().map(e -> e.event().eventId()).toList();
  }

  @Test
  void aRefusalOfAnOlderEpochKeepsWhatTheNewEpochBuffered() {
    ownership.restored(0, 1);
    pending.add(new EventBatch(List.of(event(0, 0)), List.of()));
    pending.drop(Set.of(0));
    ownership.restored(0, 2);
    pending.add(new EventBatch(List.of(event(0, 0)), List.of(deadLetter(0, 1))));
    ownership.refused(0, 1);
    pending.refused(Map.of(0, 1L));
    CheckpointJob job = freeze(Map.of(0, new OffsetRange(2, 0, 2)));
    assertEquals(List.of("e-0-0"), ids(job));
    assertEquals(1, job.deadLetters().size());
    assertEquals(Map.of(0, 2L), job.ownerEpochs());
  }

  @Test
  void aRefusalOfTheBufferedEpochDropsThatPartitionsRowsOnly() {
    ownership.restored(0, 3);
    ownership.restored(1, 3);
    pending.add(new EventBatch(List.of(event(0, 0), event(1, 0)), List.of(deadLetter(0, 1), deadLetter(1, 1))));
    pending.refused(Map.of(0, 3L));
    CheckpointJob job = freeze(Map.of());
    assertEquals(List.of("e-1-0"), ids(job));
    assertEquals(List.of(1), job.deadLetters().stream().map(DeadLetter::partition).toList());
    assertEquals(Map.of(1, 3L), job.ownerEpochs());
  }

  @Test
  void rowsOfAPartitionNotAcceptedAreNotBuffered() {
    ownership.restored(0, 1);
    pending.add(new EventBatch(List.of(event(0, 0), event(5, 0)), List.of(deadLetter(5, 1))));
    CheckpointJob job = freeze(Map.of());
    assertEquals(List.of("e-0-0"), ids(job));
    assertEquals(List.of(), job.deadLetters());
  }

  /** A barrier's epoch stands for its partitions: one sent before a restore is refused by the runner whole. */
  @Test
  void eachPartitionsShareIsMarkedWithTheBarriersEpochOrElseTheEpochItWasBufferedUnder() {
    ownership.restored(0, 4);
    ownership.restored(1, 4);
    pending.add(new EventBatch(List.of(event(0, 0), event(1, 0)), List.of()));
    CheckpointJob job = freeze(Map.of(0, new OffsetRange(3, 0, 1)));
    assertEquals(Map.of(0, 3L, 1, 4L), job.ownerEpochs());
    assertEquals(List.of(), ids(freeze(Map.of())), "a frozen checkpoint takes the buffered rows with it");
  }
}
