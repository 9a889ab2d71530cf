package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.ingest.PartitionLedger.PlannedBarrier;
import io.streampipeline.ingest.PartitionLedger.Settled;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {
  private final PartitionLedger ledger = new PartitionLedger(2, 100, 10_000);

  private void own(int partition, long epoch, long stored, long next) {
    ledger.assigned(Set.of(partition));
    ledger.restored(partition, epoch, stored, next, 0);
  }

  @Test
  void barriersCarryTheEpochThePreviousOffsetAndTheNextOne() {
    own(0, 3, 10, 10);
    assertTrue(ledger.accept(0, 10, 100, 1));
    assertTrue(ledger.accept(0, 11, 100, 1));
    assertEquals(Map.of(0, new OffsetRange(3, 10, 12)), ledger.planBarrier().offsets());
    assertTrue(ledger.accept(0, 12, 100, 1));
    assertEquals(Map.of(0, new OffsetRange(3, 12, 13)), ledger.planBarrier().offsets(),
        "the next barrier's guard is what the previous one stores");
  }

  @Test
  void barriersCarryTheLogsIdentityTheTopicIdAndTheLastRecordsLeaderEpoch() {
    ledger.assigned(Set.of(0));
    ledger.restored(0, 3, 10, 10, 0, "topic-a", 4);
    PlannedBarrier first = ledger.planBarrier();
    assertEquals(Map.of(0, new OffsetRange(3, 10, 10, "topic-a", 4)), first.offsets(),
        "before any record, the epoch of the restored position");
    ledger.settle(first.id(), Set.of(0), Set.of());
    assertTrue(ledger.accept(0, 10, 5, 100, 1));
    PlannedBarrier second = ledger.planBarrier();
    assertEquals(Map.of(0, new OffsetRange(3, 10, 11, "topic-a", 5)), second.offsets(),
        "the epoch of the last record read");
    ledger.settle(second.id(), Set.of(0), Set.of());
    assertEquals("topic-a", ledger.topicId(0));

    ledger.restored(0, 4, 11, 0, 2, "topic-b", -1);
    assertTrue(ledger.accept(0, 0, 0, 100, 3));
    assertEquals(Map.of(0, new OffsetRange(4, 11, 1, "topic-b", 0)), ledger.planBarrier().offsets(),
        "a log read from its start after the topic was created again: its own ID and epoch");
  }

  @Test
  void recordsOfRestoringOrHeldPartitionsAreSkipped() {
    ledger.assigned(Set.of(0, 1));
    ledger.beginRestore(0);
    assertFalse(ledger.accept(0, 0, 1, 0), "restoring");
    ledger.restored(0, 1, 5, 5, 0);
    assertTrue(ledger.accept(0, 5, 1, 0));
    ledger.hold(1);
    assertFalse(ledger.accept(1, 0, 1, 0), "held");
    assertFalse(ledger.accept(2, 0, 1, 0), "not owned");
    assertEquals(Set.of(0), ledger.planBarrier().offsets().keySet(), "only reading partitions are checkpointed");
  }

  @Test
  void aRecordBelowTheNextOffsetIsAConsumerThatWentBackAndIsReportedForARestore() {
    own(0, 1, 5, 5);
    assertTrue(ledger.accept(0, 5, 1, 0));
    assertTrue(ledger.accept(0, 6, 1, 0));
    assertFalse(ledger.accept(0, 3, 1, 0), "the consumer found the log truncated and went back to 3");
    assertFalse(ledger.accept(0, 7, 1, 0), "nothing more of the partition until it is restored");
    assertEquals(Map.of(0, 3L), ledger.takeRewinds());
    assertEquals(Map.of(), ledger.takeRewinds(), "reported once");
    assertEquals(Map.of(0, new OffsetRange(1, 5, 7)), ledger.planBarrier().offsets(),
        "what was read before the rewind is all a barrier carries");
  }

  @Test
  void aPartitionNeverCheckpointedStartsAtTheLogStartWithNoStoredOffset() {
    own(0, 1, -1, 7);
    assertEquals(Map.of(0, new OffsetRange(1, -1, 7)), ledger.planBarrier().offsets());
  }

  @Test
  void aRefusalRestoresOnlyWhenTheBarriersEpochIsStillTheLanes() {
    own(0, 1, 0, 0);
    ledger.accept(0, 0, 1, 0);
    PlannedBarrier first = ledger.planBarrier();
    ledger.accept(0, 1, 1, 0);
    PlannedBarrier second = ledger.planBarrier();
    Settled refused = ledger.settle(first.id(), Set.of(), Set.of(0));
    assertEquals(Set.of(0), refused.toRestore());
    assertEquals(Map.of(), refused.kafkaCommits());
    ledger.beginRestore(0);
    ledger.restored(0, 2, 1, 1, 0);
    Settled stale = ledger.settle(second.id(), Set.of(), Set.of(0));
    assertEquals(Set.of(), stale.toRestore(), "a result for the old epoch does not restore the new one again");
  }

  @Test
  void kafkaOffsetsAreCommittedOnlyForPartitionsTheSinkCommitted() {
    own(0, 1, 0, 0);
    own(1, 1, 0, 0);
    ledger.accept(0, 0, 1, 0);
    ledger.accept(1, 0, 1, 0);
    PlannedBarrier barrier = ledger.planBarrier();
    Settled settled = ledger.settle(barrier.id(), Set.of(1), Set.of());
    assertEquals(Map.of(1, 1L), settled.kafkaCommits(),
        "partition 0 was left out (its state could not be read): its lag must keep showing");
    assertNull(ledger.settle(barrier.id(), Set.of(1), Set.of()), "a result is settled once");
  }

  @Test
  void atMostTwoCheckpointsAreOutstanding() {
    own(0, 1, 0, 0);
    ledger.planBarrier();
    ledger.planBarrier();
    assertNull(ledger.planBarrier());
  }

  @Test
  void inFlightIsBoundedInEventsAndInBytes() {
    own(0, 1, 0, 0);
    for (int i = 0; i < 50; i++) {
      ledger.accept(0, i, 100, 0);
    }
    assertFalse(ledger.overLimit());
    ledger.accept(0, 50, 6_000, 0);
    assertTrue(ledger.overLimit(), "over the byte limit with few events");
    PlannedBarrier barrier = ledger.planBarrier();
    assertFalse(ledger.belowResumeMark());
    ledger.settle(barrier.id(), Set.of(0), Set.of());
    assertTrue(ledger.belowResumeMark());
    assertEquals(0, ledger.inFlightEvents());
  }

  @Test
  void aRestoreThatAnotherOneOvertookIsStale() {
    ledger.assigned(Set.of(0));
    long first = ledger.beginRestore(0);
    long second = ledger.beginRestore(0);
    assertFalse(ledger.isCurrent(0, first));
    assertTrue(ledger.isCurrent(0, second));
    ledger.revoked(Set.of(0));
    assertFalse(ledger.isCurrent(0, second));
  }

  @Test
  void noCheckpointMovesPastAGapWhileItIsChecked() {
    own(0, 1, 10, 10);
    own(1, 1, 0, 0);
    ledger.accept(0, 10, 1, 0);
    ledger.accept(0, 50, 1, 0);
    ledger.accept(1, 0, 1, 0);
    assertEquals(Map.of(0, 11L), ledger.takeGaps());
    ledger.checkingGap(0);
    assertNull(ledger.planBarrier(), "the records after the gap wait for its check, with everything else");
    ledger.gapChecked(0);
    assertEquals(Map.of(0, new OffsetRange(1, 10, 51), 1, new OffsetRange(1, 0, 1)), ledger.planBarrier().offsets());
  }

  @Test
  void aRestoreOrARevocationEndsTheWaitForAGapCheck() {
    own(0, 1, 10, 10);
    own(1, 1, 0, 0);
    ledger.checkingGap(0);
    ledger.checkingGap(0);
    ledger.checkingGap(1);
    ledger.beginRestore(0);
    assertFalse(ledger.awaitsGapCheck(0), "read again from the stored offset, which the restore checks");
    assertTrue(ledger.awaitsGapCheck(1));
    assertNull(ledger.planBarrier(), "partition 1 is still checked");
    ledger.revoked(Set.of(1));
    assertTrue(ledger.planBarrier() != null);
    ledger.gapChecked(0);
    ledger.gapChecked(1);
    assertTrue(ledger.planBarrier() != null, "answers after the restore change nothing");
  }

  @Test
  void aPartitionThatLostRecordsIsHeldOnItsNextRestoreUntilItIsAssignedAgain() {
    own(0, 1, 10, 10);
    assertFalse(ledger.hasLostRecords(0));
    ledger.lostRecords(0);
    ledger.beginRestore(0);
    assertTrue(ledger.hasLostRecords(0));
    ledger.revoked(Set.of(0));
    ledger.assigned(Set.of(0));
    assertFalse(ledger.hasLostRecords(0), "a new assignment starts from what is stored");
  }

  @Test
  void idleMeansCaughtUpAndQuietForTheIdleTime() {
    own(0, 1, 0, 0);
    ledger.accept(0, 0, 1, 1_000);
    assertFalse(ledger.isIdle(0, 0, 5_000, 10_000));
    assertTrue(ledger.isIdle(0, 0, 11_000, 10_000));
    assertFalse(ledger.isIdle(0, 3, 11_000, 10_000), "not caught up");
  }

  @Test
  void quietTimeCountsFromTheLastRecordOrTheRestore() {
    own(0, 1, 0, 0);
    assertEquals(7_000, ledger.quietFor(0, 7_000), "restored at 0, nothing read since");
    ledger.accept(0, 0, 1, 1_000);
    assertEquals(10_000, ledger.quietFor(0, 11_000));
    ledger.accept(0, 1, 1, 12_000);
    assertEquals(0, ledger.quietFor(0, 12_000));
  }

  @Test
  void aQuietSpellStartsOnceUntilTheNextRecordOrRestore() {
    own(0, 1, 0, 0);
    ledger.accept(0, 0, 1, 1_000);
    assertTrue(ledger.startsIdling(0));
    assertFalse(ledger.startsIdling(0), "the same quiet spell");
    ledger.accept(0, 1, 1, 20_000);
    assertTrue(ledger.startsIdling(0), "a record ended the spell");
    own(0, 2, 2, 2);
    assertTrue(ledger.startsIdling(0), "a restore starts afresh");
    assertFalse(ledger.startsIdling(7), "not owned");
  }

  @Test
  void skippedOffsetsAreReportedOnceForTheCallerToCheck() {
    own(0, 1, 10, 10);
    ledger.accept(0, 10, 1, 0);
    assertEquals(Map.of(), ledger.takeGaps());
    ledger.accept(0, 500, 1, 0);
    ledger.accept(0, 502, 1, 0);
    assertEquals(Map.of(0, 11L), ledger.takeGaps(), "the first skip of the batch, with the offset expected");
    assertEquals(Map.of(), ledger.takeGaps());
  }
}
