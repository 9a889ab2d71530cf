package io.streampipeline.ingest;

import io.streampipeline.ingest.PartitionLedger.Phase;
import io.streampipeline.ingest.PartitionLedger.Settled;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Whether the lane's consumer reads each partition, decided in one place, without Vert.x or Kafka types.
 *
 * <p>Each partition the lane owns has a phase (kept in the lane's {@link PartitionLedger}, whose phase changes
 * go through here): {@link Phase#RESTORING} from its assignment or from a refused checkpoint, a rewind or lost
 * records until its position is checked and sought; then {@link Phase#READING}, or {@link Phase#HELD} when the
 * stored position cannot be used. Only a reading partition may be fetched from. On top, the lane as a whole has
 * reasons to read nothing: too much read and not yet committed ({@link Reason#IN_FLIGHT_LIMIT}, until back at half
 * the limits), and a schema registry lookup holding poll batches back ({@link Reason#REGISTRY_LOOKUP}).
 *
 * <p>After each input, {@link #decide} compares what should be paused (every partition not reading, and every
 * partition while a reason holds) with what the consumer was told, and tells the {@link Output} only the
 * difference. A partition newly assigned is not paused in the consumer; a revoked one is forgotten. Once the lane
 * stops, nothing is resumed or paused any more: records read after the last barrier was planned are ignored.
 *
 * <p>Time is read from the injected clock only. Not thread-safe: used on the lane's event loop.
 */
public final class LaneStateMachine {

  /** Why the whole lane reads nothing, whatever the phase of its partitions. */
  public enum Reason {
    /** More events or bytes in flight than the limits; lifted at half of both. */
    IN_FLIGHT_LIMIT,
    /** Poll batches held while their writer schemas are looked up in the schema registry. */
    REGISTRY_LOOKUP
  }

  /** What the machine decides; the lane turns it into consumer calls. */
  public interface Output {
    /** Stop fetching these partitions. */
    void pause(Set<Integer> partitions);

    /** Fetch these partitions again. */
    void resume(Set<Integer> partitions);

    /** The in-flight limit was reached ({@code true}) or the lane is back below half of it. */
    default void inFlightLimited(boolean limited) {
    }
  }

  /**
   * Where a restored partition is read from.
   *
   * @param stored the offset stored in PostgreSQL (-1: none), which the next checkpoint must find there
   * @param next the first offset to read (-1: whatever comes first)
   * @param topicId the ID of the topic whose log is read; null when not known
   * @param leaderEpoch the leader epoch of the stored position; -1 when not known
   */
  public record ReadFrom(long ownerEpoch, long stored, long next, String topicId, int leaderEpoch) {
  }

  /**
   * A settled checkpoint: the Kafka offsets to commit, and the partitions it refused, which are restoring now under
   * the restore numbers given.
   */
  public record Settlement(Map<Integer, Long> kafkaCommits, Map<Integer, Long> restoring) {
  }

  private final PartitionLedger ledger;
  private final LongSupplier clock;
  private final Output output;
  private final EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);
  /** The partitions the consumer was told to pause and not told to resume since. */
  private final Set<Integer> paused = new HashSet<>();
  private boolean stopped;

  public LaneStateMachine(PartitionLedger ledger, LongSupplier clock, Output output) {
    this.ledger = ledger;
    this.clock = clock;
    this.output = output;
  }

  /**
   * The lane's checkpoint bookkeeping, for reading records and planning barriers. Its phase changes and
   * checkpoint results go through this machine.
   */
  public PartitionLedger ledger() {
    return ledger;
  }

  /** The lane's time. */
  public long now() {
    return clock.getAsLong();
  }

  /** Partitions added to the lane (with the cooperative assignor, only the new ones); they are restored next. */
  public void assigned(Set<Integer> partitions) {
    partitions.forEach(paused::remove);
    ledger.assigned(partitions);
    decide();
  }

  public void revoked(Set<Integer> partitions) {
    ledger.revoked(partitions);
    partitions.forEach(paused::remove);
    decide();
  }

  /**
   * Owned partitions start restoring: none of their records is taken until {@link #restoreFinished}. Nothing
   * starts once the lane stops.
   *
   * @return the number of each partition's restore, to tell a finished restore from one overtaken by another
   */
  public Map<Integer, Long> restoring(Set<Integer> partitions) {
    if (stopped) {
      return Map.of();
    }
    Map<Integer, Long> seqs = new HashMap<>();
    partitions.stream().filter(p -> ledger.phase(p) != null).forEach(p -> seqs.put(p, ledger.beginRestore(p)));
    decide();
    return seqs;
  }

  /** The partitions among {@code seqs} whose restore is still the one they wait for. */
  public Set<Integer> current(Map<Integer, Long> seqs) {
    Set<Integer> current = new TreeSet<>();
    seqs.forEach((p, seq) -> {
      if (ledger.isCurrent(p, seq)) {
        current.add(p);
      }
    });
    return current;
  }

  /**
   * Restores finished: the partitions of {@code reading} are read from where it says, those of {@code held} are
   * not. The caller passes only partitions whose restore is {@linkplain #current current}.
   */
  public void restoreFinished(Map<Integer, ReadFrom> reading, Set<Integer> held) {
    long now = clock.getAsLong();
    reading.forEach((p, at) -> ledger.restored(p, at.ownerEpoch(), at.stored(), at.next(), now, at.topicId(),
        at.leaderEpoch()));
    held.forEach(ledger::hold);
    decide();
  }

  /** A poll's records were taken into the ledger: the in-flight limit may be reached. */
  public void recordsTaken() {
    decide();
  }

  /**
   * A checkpoint result. The partitions it refused start restoring at once (before anything is resumed), unless
   * the lane stops.
   *
   * @return null for a result of no outstanding checkpoint
   */
  public Settlement settle(long id, Set<Integer> committed, Set<Integer> fenced) {
    Settled settled = ledger.settle(id, committed, fenced);
    if (settled == null) {
      return null;
    }
    Map<Integer, Long> restoring = new HashMap<>();
    if (!stopped) {
      settled.toRestore().forEach(p -> restoring.put(p, ledger.beginRestore(p)));
    }
    decide();
    return new Settlement(settled.kafkaCommits(), restoring);
  }

  /** Poll batches are held for a schema registry lookup. */
  public void registryLookupStarted() {
    reasons.add(Reason.REGISTRY_LOOKUP);
    decide();
  }

  /** The held batches were handed on. */
  public void registryLookupFinished() {
    reasons.remove(Reason.REGISTRY_LOOKUP);
    decide();
  }

  /** The lane stops: from now on nothing is paused or resumed, and no restore starts. */
  public void stopping() {
    stopped = true;
  }

  public boolean isStopping() {
    return stopped;
  }

  /** Whether {@code reason} holds the whole lane. */
  public boolean holds(Reason reason) {
    return reasons.contains(reason);
  }

  /** The reasons holding the whole lane now. */
  public Set<Reason> reasons() {
    return Collections.unmodifiableSet(EnumSet.copyOf(reasons));
  }

  /** The partitions the consumer was told to pause. */
  public Set<Integer> paused() {
    return new TreeSet<>(paused);
  }

  /** The one place pause and resume are decided. */
  private void decide() {
    if (stopped) {
      return;
    }
    if (!reasons.contains(Reason.IN_FLIGHT_LIMIT) && ledger.overLimit()) {
      reasons.add(Reason.IN_FLIGHT_LIMIT);
      output.inFlightLimited(true);
    } else if (reasons.contains(Reason.IN_FLIGHT_LIMIT) && ledger.belowResumeMark()) {
      reasons.remove(Reason.IN_FLIGHT_LIMIT);
      output.inFlightLimited(false);
    }
    Set<Integer> pause = new TreeSet<>();
    Set<Integer> resume = new TreeSet<>();
    for (int p : ledger.owned()) {
      boolean wanted = !reasons.isEmpty() || ledger.phase(p) != Phase.READING;
      if (wanted && !paused.contains(p)) {
        pause.add(p);
      } else if (!wanted && paused.contains(p)) {
        resume.add(p);
      }
    }
    paused.addAll(pause);
    paused.removeAll(resume);
    if (!pause.isEmpty()) {
      output.pause(pause);
    }
    if (!resume.isEmpty()) {
      output.resume(resume);
    }
  }
}
