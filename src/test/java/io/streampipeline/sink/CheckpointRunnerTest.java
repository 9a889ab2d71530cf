package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.sink.CheckpointRunner.Outcome;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The checkpoint protocol against a fake database that loses COMMIT replies, refuses, and is slow. */
class CheckpointRunnerTest {

  /** An in-memory stand-in for the tables the protocol touches, with faults on request. */
  private static class FakeStore implements CheckpointStore {
    final Map<Integer, long[]> checkpoints = new HashMap<>();
    final Set<String> events = new HashSet<>();
    int loseNextCommitReply;
    Promise<Void> slowGroupOne;
    final List<WriteMode> modes = new ArrayList<>();
    /** Per partition, the seqs of the state deltas stored (as pipeline_state_changes holds them). */
    final Map<Integer, List<Long>> deltas = new HashMap<>();

    void stored(int partition, long epoch, long offset) {
      checkpoints.put(partition, new long[] {epoch, offset});
    }

    long offset(int partition) {
      return checkpoints.get(partition)[1];
    }

    @Override
    public Future<Long> commit(CheckpointJob job, WriteMode mode, List<DeadLetter> rejected) {
      modes.add(mode);
      Future<Void> gate = slowGroupOne != null && job.offsets().keySet().stream().anyMatch(p -> p % 2 == 1)
          ? slowGroupOne.future() : Future.succeededFuture();
      return gate.compose(v -> transaction(job, mode));
    }

    private Future<Long> transaction(CheckpointJob job, WriteMode mode) {
      long fresh = 0;
      for (EnrichedEvent e : job.events()) {
        if (events.contains(e.event().eventId())) {
          if (mode == WriteMode.PLAIN) {
            return Future.failedFuture(new DuplicateKey());
          }
        } else {
          fresh++;
        }
      }
      Set<Integer> refused = new HashSet<>();
      job.offsets().forEach((p, range) -> {
        long[] row = checkpoints.get(p);
        if (row[0] != range.ownerEpoch() || row[1] != range.previous()) {
          refused.add(p);
        }
      });
      if (!refused.isEmpty()) {
        return Future.failedFuture(new FencedException(refused));
      }
      job.events().forEach(e -> events.add(e.event().eventId()));
      job.offsets().forEach((p, range) -> checkpoints.get(p)[1] = range.next());
      job.states().forEach((p, state) -> {
        if (state.full()) {
          deltas.remove(p);
        } else {
          deltas.computeIfAbsent(p, k -> new ArrayList<>()).add(state.seq());
        }
      });
      if (loseNextCommitReply > 0) {
        loseNextCommitReply--;
        return Future.failedFuture(new IllegalStateException("connection reset after COMMIT"));
      }
      return Future.succeededFuture(fresh);
    }

    @Override
    public Future<List<EnrichedEvent>> acceptedRows(List<EnrichedEvent> events, List<DeadLetter> rejected) {
      return Future.succeededFuture(events);
    }

    @Override
    public Failure classify(Throwable err) {
      return err instanceof FencedException ? Failure.FENCED
          : err instanceof DuplicateKey ? Failure.DUPLICATE_KEY : Failure.UNAVAILABLE;
    }
  }

  private static final class DuplicateKey extends RuntimeException {
    DuplicateKey() {
      super("duplicate key value violates unique constraint \"clickstream_events_pkey\"");
    }
  }

  private final FakeStore store = new FakeStore();
  private final SinkOwnership ownership = new SinkOwnership();
  private final List<Map<Integer, Long>> refusals = new ArrayList<>();
  /** The sink's buffer, told of refusals as SinkVerticle tells it. */
  private final PendingRows pending = new PendingRows(ownership);
  private final CheckpointRunner runner = new CheckpointRunner(store, ownership, 2, ms -> Future.succeededFuture(),
      new CheckpointRunner.Listener() {
        @Override
        public void committed(CheckpointJob job, List<DeadLetter> rejected, long written) {
        }

        @Override
        public void refused(Map<Integer, Long> ownerEpochs) {
          refusals.add(ownerEpochs);
          pending.refused(ownerEpochs);
        }
      }, "test");

  private static EnrichedEvent event(int partition, long offset) {
    return EventRules.enrich(new ClickstreamEvent("e-" + partition + "-" + offset, EventType.PAGE_VIEW, 1_000 + offset,
        "u", "s", null, null, null, null, null, "https://x/", null, "Mozilla", "192.0.2.1", "US", null), partition,
        offset);
  }

  private static CheckpointJob job(long id, long epoch, Map<Integer, long[]> ranges) {
    List<EnrichedEvent> events = new ArrayList<>();
    Map<Integer, OffsetRange> offsets = new HashMap<>();
    Map<Integer, Long> epochs = new HashMap<>();
    ranges.forEach((p, r) -> {
      for (long o = r[0]; o < r[1]; o++) {
        events.add(event(p, o));
      }
      offsets.put(p, new OffsetRange(epoch, r[0], r[1]));
      epochs.put(p, epoch);
    });
    return new CheckpointJob(id, events, List.of(), List.of(), Map.of(), offsets, epochs);
  }

  private static Outcome done(Future<Outcome> outcome) {
    assertTrue(outcome.succeeded(), "the runner completed");
    return outcome.result();
  }

  @Test
  void aLostCommitReplyIsRefusedOnRetryAndTheNextCheckpointOfThatEpochIsNotWritten() {
    store.stored(0, 1, 0);
    ownership.restored(0, 1);
    store.loseNextCommitReply = 1;
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger runnerLog = (Logger) LoggerFactory.getLogger(CheckpointRunner.class);
    log.start();
    runnerLog.addAppender(log);
    Outcome first;
    try {
      first = done(runner.run(job(1, 1, Map.of(0, new long[] {0, 10}))));
    } finally {
      runnerLog.detachAppender(log);
    }
    assertEquals(List.of("lane test: checkpoint 1 repeats rows already stored (duplicate key value violates unique "
        + "constraint \"clickstream_events_pkey\"); writing it again, skipping the stored events and overwriting "
        + "the stored windows"), log.list.stream().filter(e -> e.getLevel() == Level.INFO)
        .map(ILoggingEvent::getFormattedMessage).toList(), "the retry of stored rows is said once, with the key");
    assertEquals(Set.of(0), first.fenced());
    assertEquals(List.of(WriteMode.PLAIN, WriteMode.PLAIN, WriteMode.SKIP_DUPLICATES), store.modes,
        "retried after the lost reply, duplicates found, then the compare-and-set refused");
    assertEquals(10, store.offset(0), "the first commit did land");

    Outcome second = done(runner.run(job(2, 1, Map.of(0, new long[] {10, 20}))));
    assertEquals(Set.of(0), second.fenced());
    assertEquals(10, store.offset(0), "no offset moves past events dropped with the refusal");
    assertEquals(10, store.events.size());

    store.stored(0, 2, 10);
    ownership.restored(0, 2);
    Outcome third = done(runner.run(job(3, 2, Map.of(0, new long[] {10, 20}))));
    assertEquals(Set.of(0), third.committed());
    assertEquals(20, store.offset(0));
    assertEquals(20, store.events.size());
  }

  @Test
  void aRefusedPartitionDoesNotHoldBackTheOthers() {
    store.stored(0, 9, 0);
    store.stored(2, 1, 0);
    ownership.restored(0, 1);
    ownership.restored(2, 1);
    Outcome outcome = done(runner.run(job(1, 1, Map.of(0, new long[] {0, 5}, 2, new long[] {0, 5}))));
    assertEquals(Set.of(0), outcome.fenced());
    assertEquals(Set.of(2), outcome.committed());
    assertEquals(List.of(Map.of(0, 1L)), refusals, "the refusal names the epoch it refused");
    assertEquals(Set.of("e-2-0", "e-2-1", "e-2-2", "e-2-3", "e-2-4"), store.events);
  }

  @Test
  void aSlowPartitionGroupDelaysTheOutcomeButNotTheOtherGroupsCommit() {
    for (int p = 0; p < 4; p++) {
      store.stored(p, 1, 0);
      ownership.restored(p, 1);
    }
    store.slowGroupOne = Promise.promise();
    Future<Outcome> outcome = runner.run(job(1, 1, Map.of(0, new long[] {0, 3}, 1, new long[] {0, 3},
        2, new long[] {0, 3}, 3, new long[] {0, 3})));
    assertFalse(outcome.isComplete(), "waits for the slow group");
    assertEquals(3, store.offset(0));
    assertEquals(3, store.offset(2));
    assertEquals(0, store.offset(1));
    store.slowGroupOne.complete();
    assertEquals(Set.of(0, 1, 2, 3), done(outcome).committed());
    assertEquals(12, done(outcome).written());
  }

  @Test
  void anOutageIsRetriedUntilItCommits() {
    store.stored(0, 1, 0);
    ownership.restored(0, 1);
    FakeStore flaky = new FakeStore() {
      int failures = 3;

      @Override
      public Future<Long> commit(CheckpointJob job, WriteMode mode, List<DeadLetter> rejected) {
        return failures-- > 0 ? Future.failedFuture(new IllegalStateException("connection refused"))
            : store.commit(job, mode, rejected);
      }
    };
    CheckpointRunner retrying = new CheckpointRunner(flaky, ownership, 2, ms -> Future.succeededFuture(),
        new CheckpointRunner.Listener() {
          @Override
          public void committed(CheckpointJob job, List<DeadLetter> rejected, long written) {
          }

          @Override
          public void refused(Map<Integer, Long> ownerEpochs) {
          }
        }, "test");
    assertEquals(Set.of(0), done(retrying.run(job(1, 1, Map.of(0, new long[] {0, 4})))).committed());
    assertEquals(4, store.offset(0));
  }

  /**
   * A partition claimed elsewhere is refused with its state delta: the delta is not stored, the other partition's
   * is, and the delta of the refused epoch's next checkpoint (already queued) is not stored either.
   */
  @Test
  void theDeltaOfARefusedPartitionIsNotStoredNorThatOfItsQueuedNextCheckpoint() {
    store.stored(0, 1, 0);
    store.stored(2, 2, 0);
    ownership.restored(0, 1);
    ownership.restored(2, 1);
    CheckpointJob first = withDeltas(job(1, 1, Map.of(0, new long[] {0, 5}, 2, new long[] {0, 5})), 1);
    CheckpointJob second = withDeltas(job(2, 1, Map.of(0, new long[] {5, 9}, 2, new long[] {5, 9})), 2);
    Outcome outcome = done(runner.run(first));
    assertEquals(Set.of(2), outcome.fenced());
    assertEquals(Set.of(0), outcome.committed());
    Outcome queued = done(runner.run(second));
    assertEquals(Set.of(2), queued.fenced());
    assertEquals(Map.of(0, List.of(1L, 2L)), store.deltas);
  }

  /**
   * An epoch-1 checkpoint of partition 1 is still being written when the lane restores the partition as epoch 2
   * (the claim moved the stored epoch) and buffers what it reads again. The old checkpoint is refused, epoch 2 stays
   * accepted, and its rows stay buffered for its own checkpoint, which commits them.
   */
  @Test
  void aRefusalOfTheOldEpochKeepsTheRowsTheNewEpochHasBuffered() {
    store.stored(1, 1, 0);
    ownership.restored(1, 1);
    store.slowGroupOne = Promise.promise();
    Future<Outcome> old = runner.run(job(1, 1, Map.of(1, new long[] {0, 5})));

    store.stored(1, 2, 0);
    pending.drop(Set.of(1));
    ownership.restored(1, 2);
    pending.add(new EventBatch(List.of(event(1, 0), event(1, 1), event(1, 2), event(1, 4)),
        List.of(new DeadLetter("t", 1, 3, "not JSON", new byte[] {'{'}, 0))));
    store.slowGroupOne.complete();
    assertEquals(Set.of(1), done(old).fenced());
    assertEquals(List.of(Map.of(1, 1L)), refusals);
    assertTrue(ownership.accepts(1, 2), "epoch 2 is still accepted");

    CheckpointJob next = pending.freeze(new Checkpoint(2, Map.of(1, new OffsetRange(2, 0, 5)), Map.of(), List.of()));
    assertEquals(4, next.events().size(), "epoch 2's events are still there");
    assertEquals(1, next.deadLetters().size(), "and its dead letter");
    assertEquals(Set.of(1), done(runner.run(next)).committed());
    assertEquals(5, store.offset(1));
    assertEquals(4, store.events.size());
  }

  @Test
  void aRefusalOfTheBufferedEpochDropsItsRowsAndKeepsTheOtherPartitions() {
    store.stored(0, 1, 0);
    store.stored(2, 1, 0);
    ownership.restored(0, 1);
    ownership.restored(2, 1);
    pending.add(new EventBatch(List.of(event(0, 5), event(2, 5)), List.of()));
    store.stored(0, 2, 0);
    Outcome refused = done(runner.run(job(1, 1, Map.of(0, new long[] {0, 5}, 2, new long[] {0, 5}))));
    assertEquals(Set.of(0), refused.fenced());
    CheckpointJob next = pending.freeze(new Checkpoint(2, Map.of(), Map.of(), List.of()));
    assertEquals(List.of("e-2-5"), next.events().stream().map(e -> e.event().eventId()).toList(),
        "the refused epoch's rows go, the other partition's stay");
  }

  private static CheckpointJob withDeltas(CheckpointJob job, long seq) {
    Map<Integer, io.streampipeline.bus.StateWrite> states = new HashMap<>();
    job.offsets().keySet().forEach(p -> states.put(p, io.streampipeline.bus.StateWrite.delta(seq,
        new byte[] {(byte) seq})));
    return new CheckpointJob(job.id(), job.events(), job.deadLetters(), job.windows(), states, job.offsets(),
        job.ownerEpochs());
  }
}
