package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.ingest.LaneStateMachine.ReadFrom;
import io.streampipeline.ingest.LaneStateMachine.Reason;
import io.streampipeline.ingest.LaneStateMachine.Settlement;
import io.streampipeline.ingest.PartitionLedger.Phase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The lane's pause and resume decisions for every interleaving of its reasons: restores, the in-flight limit (10
 * events here, resumed at 5), registry lookups, revocations, refused checkpoints and the stop.
 */
class LaneStateMachineTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final List<String> calls = new ArrayList<>();
  private final LaneStateMachine machine = new LaneStateMachine(new PartitionLedger(2, 10, 1 << 20), clock::get,
      new LaneStateMachine.Output() {
        @Override
        public void pause(Set<Integer> partitions) {
          calls.add("pause " + new TreeSet<>(partitions));
        }

        @Override
        public void resume(Set<Integer> partitions) {
          calls.add("resume " + new TreeSet<>(partitions));
        }

        @Override
        public void inFlightLimited(boolean limited) {
          calls.add(limited ? "limited" : "unlimited");
        }
      });
  private final PartitionLedger ledger = machine.ledger();
  private final Map<Integer, Long> next = new HashMap<>();

  /** Assigns the partitions and starts their restore, as the lane does on assignment. */
  private Map<Integer, Long> assign(Integer... partitions) {
    machine.assigned(Set.of(partitions));
    return machine.restoring(Set.of(partitions));
  }

  /** Finishes restores begun under {@code seqs}: the current ones are read from offset 0 (or where they were). */
  private void restored(Map<Integer, Long> seqs) {
    Map<Integer, ReadFrom> reading = new HashMap<>();
    machine.current(seqs).forEach(p -> reading.put(p, new ReadFrom(1, -1, next.getOrDefault(p, 0L), "t", -1)));
    machine.restoreFinished(reading, Set.of());
  }

  private void own(Integer... partitions) {
    restored(assign(partitions));
    calls.clear();
  }

  /** A poll's records, one per partition named, taken into the ledger. */
  private void read(int events, Integer... partitions) {
    for (int i = 0; i < events; i++) {
      for (int p : partitions) {
        long offset = next.getOrDefault(p, 0L);
        assertTrue(ledger.accept(p, offset, 1, clock.get()));
        next.put(p, offset + 1);
      }
    }
    machine.recordsTaken();
  }

  private long barrier() {
    return ledger.planBarrier().id();
  }

  private Settlement committed(long checkpoint) {
    return machine.settle(checkpoint, ledger.owned(), Set.of());
  }

  @Test
  void anAssignedPartitionIsPausedWhileItRestoresAndResumedWhenRestored() {
    Map<Integer, Long> seqs = assign(0, 1);
    assertEquals(List.of("pause [0, 1]"), calls);
    assertEquals(Phase.RESTORING, ledger.phase(0));
    restored(seqs);
    assertEquals(List.of("pause [0, 1]", "resume [0, 1]"), calls);
    assertEquals(Phase.READING, ledger.phase(0));
    assertEquals(Set.of(), machine.paused());
  }

  @Test
  void aHeldPartitionStaysPausedWhenTheOthersResume() {
    Map<Integer, Long> seqs = assign(0, 1);
    machine.restoreFinished(Map.of(0, new ReadFrom(1, 5, 5, "t", -1)), Set.of(1));
    assertEquals(List.of("pause [0, 1]", "resume [0]"), calls);
    assertEquals(Phase.HELD, ledger.phase(1));
    machine.registryLookupStarted();
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0, 1]", "resume [0]", "pause [0]", "resume [0]"), calls, "held stays paused");
    assertEquals(Set.of(1), machine.paused());
    assertEquals(Set.of(), machine.current(seqs), "both restores are over");
  }

  @Test
  void theInFlightLimitPausesEveryPartitionAndTheyResumeAtHalf() {
    own(0, 1);
    read(5, 0, 1);
    assertEquals(List.of(), calls, "10 in flight is the limit, not over it");
    read(1, 0);
    assertEquals(List.of("limited", "pause [0, 1]"), calls);
    assertTrue(machine.holds(Reason.IN_FLIGHT_LIMIT));
    long first = barrier();
    read(0);
    committed(first);
    assertEquals(List.of("limited", "pause [0, 1]", "unlimited", "resume [0, 1]"), calls);
    assertFalse(machine.holds(Reason.IN_FLIGHT_LIMIT));
  }

  @Test
  void checkpointsThatLeaveMoreThanHalfInFlightDoNotResume() {
    own(0);
    read(4, 0);
    long small = barrier();
    read(7, 0);
    long large = barrier();
    assertEquals(List.of("limited", "pause [0]"), calls);
    committed(small);
    assertEquals(List.of("limited", "pause [0]"), calls, "7 still in flight, above half the limit");
    committed(large);
    assertEquals(List.of("limited", "pause [0]", "unlimited", "resume [0]"), calls);
  }

  @Test
  void aRestoreThatFinishesWhileInFlightLimitedLeavesThePartitionPausedUntilTheLimitLifts() {
    own(0);
    read(11, 0);
    long checkpoint = barrier();
    Map<Integer, Long> seqs = assign(1);
    assertEquals(List.of("limited", "pause [0]", "pause [1]"), calls);
    restored(seqs);
    assertEquals(List.of("limited", "pause [0]", "pause [1]"), calls, "restored, but the limit holds");
    committed(checkpoint);
    assertEquals(List.of("limited", "pause [0]", "pause [1]", "unlimited", "resume [0, 1]"), calls);
  }

  @Test
  void theInFlightLimitPausesOnlyWhatIsReadingAndItsLiftLeavesARestoringPartitionPaused() {
    own(0);
    Map<Integer, Long> seqs = assign(1);
    calls.clear();
    read(11, 0);
    assertEquals(List.of("limited", "pause [0]"), calls, "1 is paused already");
    committed(barrier());
    assertEquals(List.of("limited", "pause [0]", "unlimited", "resume [0]"), calls, "1 still restoring");
    restored(seqs);
    assertEquals(List.of("limited", "pause [0]", "unlimited", "resume [0]", "resume [1]"), calls);
  }

  @Test
  void aRegistryLookupPausesEverythingAndItsEndResumesWhatIsReading() {
    own(0, 1);
    machine.registryLookupStarted();
    assertEquals(List.of("pause [0, 1]"), calls);
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0, 1]", "resume [0, 1]"), calls);
  }

  @Test
  void aRegistryLookupThatFinishesWhileAPartitionRestoresLeavesThatOnePaused() {
    own(0);
    machine.registryLookupStarted();
    Map<Integer, Long> seqs = assign(1);
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0]", "pause [1]", "resume [0]"), calls);
    restored(seqs);
    assertEquals(List.of("pause [0]", "pause [1]", "resume [0]", "resume [1]"), calls);
  }

  /**
   * The restore used to resume its partitions whenever the in-flight limit did not hold, while the registry gate
   * still held batches for a lookup; the gate then paused the consumer again on the next batch offered.
   */
  @Test
  void aRestoreThatFinishesDuringARegistryLookupDoesNotResumeUntilTheLookupEnds() {
    own(0);
    Map<Integer, Long> seqs = assign(1);
    machine.registryLookupStarted();
    restored(seqs);
    assertEquals(List.of("pause [1]", "pause [0]"), calls, "nothing resumed while batches are held");
    assertEquals(Set.of(0, 1), machine.paused());
    machine.registryLookupFinished();
    assertEquals(List.of("pause [1]", "pause [0]", "resume [0, 1]"), calls);
  }

  /**
   * The end of the in-flight limit used to resume every reading partition while the registry gate still held
   * batches; the gate then paused the consumer again on the next batch offered.
   */
  @Test
  void theInFlightLimitLiftingDuringARegistryLookupDoesNotResume() {
    own(0);
    read(11, 0);
    long checkpoint = barrier();
    machine.registryLookupStarted();
    committed(checkpoint);
    assertEquals(List.of("limited", "pause [0]", "unlimited"), calls, "the lookup still holds the lane");
    assertEquals(Set.of(Reason.REGISTRY_LOOKUP), machine.reasons());
    machine.registryLookupFinished();
    assertEquals(List.of("limited", "pause [0]", "unlimited", "resume [0]"), calls);
  }

  @Test
  void aRegistryLookupEndingWhileInFlightLimitedDoesNotResume() {
    own(0);
    machine.registryLookupStarted();
    read(11, 0);
    long checkpoint = barrier();
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0]", "limited"), calls, "the limit still holds the lane");
    committed(checkpoint);
    assertEquals(List.of("pause [0]", "limited", "unlimited", "resume [0]"), calls);
  }

  @Test
  void aPartitionRevokedDuringARegistryHoldIsNotResumedAndComesBackUnpausedWhenAssignedAgain() {
    own(0, 1);
    machine.registryLookupStarted();
    machine.revoked(Set.of(1));
    assertNull(ledger.phase(1));
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0, 1]", "resume [0]"), calls);
    // Assigned again, the consumer reads it until told otherwise: it is paused again for its restore.
    machine.registryLookupStarted();
    Map<Integer, Long> seqs = assign(1);
    assertEquals(List.of("pause [0, 1]", "resume [0]", "pause [0]", "pause [1]"), calls);
    machine.registryLookupFinished();
    restored(seqs);
    assertEquals(List.of("pause [0, 1]", "resume [0]", "pause [0]", "pause [1]", "resume [0]", "resume [1]"),
        calls);
  }

  @Test
  void aPartitionRevokedWhileRestoringIsForgottenAndItsRestoreIgnored() {
    own(0);
    Map<Integer, Long> seqs = assign(1);
    machine.revoked(Set.of(1));
    assertEquals(Set.of(), machine.current(seqs));
    restored(seqs);
    assertEquals(List.of("pause [1]"), calls);
    assertEquals(Set.of(), machine.paused());
  }

  @Test
  void aRestoreOvertakenByANewerOneIsNotCurrentAndTheNewerOneResumes() {
    own(0);
    Map<Integer, Long> older = machine.restoring(Set.of(0));
    Map<Integer, Long> newer = machine.restoring(Set.of(0));
    assertEquals(Set.of(), machine.current(older));
    restored(older);
    assertEquals(List.of("pause [0]"), calls, "the older restore finishing resumes nothing");
    restored(newer);
    assertEquals(List.of("pause [0]", "resume [0]"), calls);
  }

  @Test
  void aRefusedCheckpointRestoresItsPartitionsBeforeTheLimitsLiftResumesTheOthers() {
    own(0, 1);
    read(6, 0, 1);
    long checkpoint = barrier();
    Settlement settled = machine.settle(checkpoint, Set.of(1), Set.of(0));
    assertEquals(Set.of(0), settled.restoring().keySet());
    assertEquals(Map.of(1, 6L), settled.kafkaCommits());
    assertEquals(List.of("limited", "pause [0, 1]", "unlimited", "resume [1]"), calls,
        "0 is never resumed before its restore");
    assertEquals(Phase.RESTORING, ledger.phase(0));
    restored(settled.restoring());
    assertEquals(List.of("limited", "pause [0, 1]", "unlimited", "resume [1]", "resume [0]"), calls);
  }

  @Test
  void aRewoundPartitionIsPausedWhileItIsRestored() {
    own(0);
    read(3, 0);
    assertFalse(ledger.accept(0, 1, 1, clock.get()), "the consumer went back below what was read");
    assertEquals(Map.of(0, 1L), ledger.takeRewinds());
    Map<Integer, Long> seqs = machine.restoring(Set.of(0));
    assertEquals(List.of("pause [0]"), calls);
    next.put(0, 1L);
    restored(seqs);
    assertEquals(List.of("pause [0]", "resume [0]"), calls);
  }

  @Test
  void aPartitionThatLostRecordsIsHeldAndStaysPausedWhateverLifts() {
    own(0, 1);
    ledger.lostRecords(0);
    Map<Integer, Long> seqs = machine.restoring(Set.of(0));
    machine.registryLookupStarted();
    machine.restoreFinished(Map.of(), machine.current(seqs));
    machine.registryLookupFinished();
    assertEquals(List.of("pause [0]", "pause [1]", "resume [1]"), calls);
    assertEquals(Phase.HELD, ledger.phase(0));
    assertEquals(Set.of(0), machine.paused());
  }

  @Test
  void onceStoppingNothingIsPausedOrResumedAndNoRestoreStarts() {
    own(0, 1);
    read(11, 0);
    long checkpoint = barrier();
    calls.clear();
    machine.stopping();
    assertEquals(Map.of(), machine.restoring(Set.of(1)));
    assertEquals(Phase.READING, ledger.phase(1));
    machine.registryLookupStarted();
    Settlement settled = machine.settle(checkpoint, Set.of(), Set.of(0));
    assertEquals(Map.of(), settled.restoring(), "a refused partition is read again after the restart");
    machine.registryLookupFinished();
    machine.assigned(Set.of(2));
    assertEquals(List.of(), calls);
  }

  @Test
  void aResultOfNoOutstandingCheckpointChangesNothing() {
    own(0);
    assertNull(machine.settle(42, Set.of(0), Set.of()));
    assertEquals(List.of(), calls);
  }

  @Test
  void restoredPartitionsCountTheirQuietFromTheInjectedClock() {
    Map<Integer, Long> seqs = assign(0);
    clock.set(50_000);
    restored(seqs);
    clock.set(53_000);
    assertEquals(3_000, ledger.quietFor(0, machine.now()));
    assertTrue(ledger.isIdle(0, 0, machine.now(), 3_000));
  }
}
