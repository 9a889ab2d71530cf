package io.streampipeline.sink;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.Retry;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one checkpoint through to an outcome: writes it in parallel partition groups, drops partitions the
 * sink no longer accepts before every attempt, and follows {@link SinkPolicy} after each failure. It never
 * fails: it retries until every partition group has committed or has nothing left that may be written.
 */
final class CheckpointRunner {
  private static final Logger log = LoggerFactory.getLogger(CheckpointRunner.class);

  /** What the runner reports while it works, on the caller's event loop. */
  interface Listener {
    /** A partition group committed ({@code rejected}: rows PostgreSQL refused, now dead letters). */
    void committed(CheckpointJob job, List<DeadLetter> rejected, long written);

    /**
     * The compare-and-set refused these partitions under these owner epochs; the sink accepts nothing more of them
     * under those epochs. A partition restored meanwhile under a newer epoch is not affected.
     */
    void refused(Map<Integer, Long> ownerEpochs);
  }

  /** Partitions durable at the checkpoint's offsets, partitions refused or no longer writable, new event rows. */
  record Outcome(Set<Integer> committed, Set<Integer> fenced, long written) {
    Outcome plusFenced(Set<Integer> more) {
      Set<Integer> all = new HashSet<>(fenced);
      all.addAll(more);
      return new Outcome(committed, all, written);
    }

    Outcome plus(Outcome other) {
      Set<Integer> allCommitted = new HashSet<>(committed);
      allCommitted.addAll(other.committed);
      return new Outcome(allCommitted, plusFenced(other.fenced).fenced, written + other.written);
    }
  }

  private final CheckpointStore store;
  private final SinkOwnership ownership;
  private final int groups;
  private final LongFunction<Future<Void>> sleep;
  private final Listener listener;
  private final String lane;

  CheckpointRunner(CheckpointStore store, SinkOwnership ownership, int groups, LongFunction<Future<Void>> sleep,
      Listener listener, String lane) {
    this.store = store;
    this.ownership = ownership;
    this.groups = groups;
    this.sleep = sleep;
    this.listener = listener;
    this.lane = lane;
  }

  /**
   * One transaction per partition group, in parallel on separate connections: a PostgreSQL backend uses one
   * core, and each partition's rows, state and offset still commit together.
   */
  Future<Outcome> run(CheckpointJob job) {
    List<Future<Outcome>> parts = new ArrayList<>();
    for (CheckpointJob group : job.partitionGroups(groups)) {
      parts.add(attempt(group, WriteMode.PLAIN, 0));
    }
    return Future.all(parts).map(all -> {
      Outcome total = new Outcome(Set.of(), Set.of(), 0);
      for (Future<Outcome> part : parts) {
        total = total.plus(part.result());
      }
      return total;
    });
  }

  private Future<Outcome> attempt(CheckpointJob job, WriteMode mode, int failures) {
    Set<Integer> stale = ownership.notAccepted(job.ownerEpochs());
    CheckpointJob fresh = job.without(stale);
    if (fresh.isEmpty()) {
      return Future.succeededFuture(new Outcome(fresh.offsets().keySet(), stale, 0));
    }
    List<DeadLetter> rejected = new ArrayList<>();
    Future<CheckpointJob> ready = mode == WriteMode.ISOLATE_BAD_ROWS
        ? store.acceptedRows(fresh.events(), rejected).map(fresh::withEvents) : Future.succeededFuture(fresh);
    return ready
        .compose(writable -> store.commit(writable, mode, rejected).map(written -> {
          listener.committed(writable, rejected, written);
          return new Outcome(writable.offsets().keySet(), stale, written);
        }))
        .recover(err -> afterFailure(fresh, mode, failures, err).map(o -> o.plusFenced(stale)));
  }

  private Future<Outcome> afterFailure(CheckpointJob job, WriteMode mode, int failures, Throwable err) {
    Failure failure = store.classify(err);
    if (failure == Failure.FENCED) {
      Map<Integer, Long> refused = new HashMap<>();
      ((FencedException) err).partitions().forEach(p -> refused.put(p, job.ownerEpochs().get(p)));
      refused.forEach(ownership::refused);
      listener.refused(refused);
      return attempt(job.without(refused.keySet()), mode, failures).map(o -> o.plusFenced(refused.keySet()));
    }
    Retry retry = SinkPolicy.afterFailure(failure, mode, failures);
    if (failure == Failure.DUPLICATE_KEY && retry.mode() == WriteMode.SKIP_DUPLICATES) {
      // A producer retry now and then; every checkpoint when the stored checkpoints fell behind the stored rows
      // (deleted by hand, or restored from an older backup than the data tables).
      log.info("lane {}: checkpoint {} repeats rows already stored ({}); writing it again, skipping the stored "
          + "events and overwriting the stored windows", lane, job.id(), err.getMessage());
    } else if (failure == Failure.BAD_DATA && retry.mode() != mode) {
      log.warn("lane {}: PostgreSQL rejected checkpoint {} for its data ({}); isolating the bad rows", lane,
          job.id(), err.getMessage());
    } else if (retry.delayMs() > 0 && (failures == 0 || failures % 10 == 0)) {
      log.warn("lane {}: checkpoint {} failed ({}); retrying in {} ms, attempt {}", lane, job.id(), err.toString(),
          retry.delayMs(), failures + 1);
    }
    Future<Void> wait = retry.delayMs() > 0 ? sleep.apply(retry.delayMs()) : Future.succeededFuture();
    return wait.compose(v -> attempt(job, retry.mode(), retry.failures()));
  }
}
