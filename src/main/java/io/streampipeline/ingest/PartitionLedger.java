package io.streampipeline.ingest;

import io.streampipeline.bus.LaneMessage.OffsetRange;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One lane's bookkeeping of the checkpoint protocol, per partition, without Vert.x: which partitions it owns
 * and under which owner epoch, where it reads, what the next barrier stores, which checkpoints are outstanding,
 * and how much is in flight. IngestVerticle wires it to the Kafka consumer, PostgreSQL and the bus; the rules
 * are here, so they can be read and tested on their own.
 *
 * <p>A partition is <em>restoring</em> from assignment (or from a refused checkpoint) until its claim has been
 * read and the consumer has seeked; records of it are ignored meanwhile. It is then <em>reading</em> under the
 * owner epoch it claimed, or <em>held</em> (nothing read, nothing checkpointed) when its stored position could
 * not be used. Each restore gets a sequence number, so one that finishes after a newer one started is ignored.
 *
 * <p>Barriers carry, per reading partition, the owner epoch, the offset stored by the previous barrier (the
 * compare-and-set guard) and the next offset to read, with the identity of the log it is in: the topic ID the
 * partition was restored under and the leader epoch of the last record read. A result only counts for a partition
 * that is still reading under the epoch the barrier carried.
 */
public final class PartitionLedger {

  /** What a checkpoint result asks of the lane. */
  public record Settled(Map<Integer, Long> kafkaCommits, Set<Integer> toRestore) {
  }

  /** A barrier to send: checkpoint {@code id} and its share per partition. */
  public record PlannedBarrier(long id, Map<Integer, OffsetRange> offsets) {
  }

  /** Where a partition the lane owns stands; a revoked partition has none (it is forgotten). */
  public enum Phase {
    /** Being taken over from its checkpoint: claimed, checked and sought; none of its records is taken. */
    RESTORING,
    /** Read and checkpointed under the owner epoch its restore claimed. */
    READING,
    /** Its stored position could not be used (PIPELINE_OFFSET_OUT_OF_RANGE=halt): not read, not checkpointed. */
    HELD
  }

  private static final class Partition {
    Phase phase = Phase.RESTORING;
    long restoreSeq;
    long ownerEpoch = -1;
    /** Next offset to read; -1 until the first record of a partition never checkpointed. */
    long next = -1;
    /** Offset stored by the last barrier planned, or the restored one; -1 when none. */
    long planned = -1;
    long lastRecordAt;
    /** The ID of the topic whose log is read; null when not known. */
    String topicId;
    /** Leader epoch of the last record read (or of the restored position); -1 when not known. */
    int leaderEpoch = -1;
    /** This quiet spell was already reported by {@link #startsIdling}. */
    boolean idleReported;
    /** Records it was to read next were found gone from the log while reading: the next restore holds it. */
    boolean lostRecords;
  }

  private record Pending(long events, long bytes, Map<Integer, OffsetRange> offsets) {
  }

  private final int maxOutstanding;
  private final long maxInFlightEvents;
  private final long maxInFlightBytes;
  private final Map<Integer, Partition> partitions = new HashMap<>();
  private final Map<Long, Pending> outstanding = new LinkedHashMap<>();
  private final Map<Integer, Long> gaps = new HashMap<>();
  /** Partitions with a skip in their offsets whose cause is being checked, and how many checks are out. */
  private final Map<Integer, Integer> gapChecks = new HashMap<>();
  private final Map<Integer, Long> rewinds = new HashMap<>();
  private long restoreSeq;
  private long checkpointSeq;
  private long eventsSinceBarrier;
  private long bytesSinceBarrier;
  private long inFlightEvents;
  private long inFlightBytes;

  public PartitionLedger(int maxOutstanding, long maxInFlightEvents, long maxInFlightBytes) {
    this.maxOutstanding = maxOutstanding;
    this.maxInFlightEvents = maxInFlightEvents;
    this.maxInFlightBytes = maxInFlightBytes;
  }

  public void assigned(Set<Integer> assigned) {
    assigned.forEach(p -> partitions.putIfAbsent(p, new Partition()));
  }

  public void revoked(Set<Integer> revoked) {
    revoked.forEach(partitions::remove);
    revoked.forEach(gapChecks::remove);
  }

  /** Starts restoring an owned partition; the number identifies this restore. */
  public long beginRestore(int partition) {
    Partition p = partitions.get(partition);
    p.phase = Phase.RESTORING;
    p.restoreSeq = ++restoreSeq;
    // Nothing read before the restore is checkpointed any more: a gap in it no longer matters.
    gapChecks.remove(partition);
    return p.restoreSeq;
  }

  /** Whether the restore numbered {@code seq} is still the one the partition waits for. */
  public boolean isCurrent(int partition, long seq) {
    Partition p = partitions.get(partition);
    return p != null && p.phase == Phase.RESTORING && p.restoreSeq == seq;
  }

  /**
   * The partition is read from now on under {@code ownerEpoch}.
   *
   * @param stored the offset stored in PostgreSQL (-1: none), which the next checkpoint must find there
   * @param next the first offset to read (-1: whatever comes first, for a partition never checkpointed)
   */
  public void restored(int partition, long ownerEpoch, long stored, long next, long now) {
    restored(partition, ownerEpoch, stored, next, now, null, -1);
  }

  /**
   * The same, in the log of topic {@code topicId}, at a position whose last record had {@code leaderEpoch} (-1:
   * not known).
   */
  public void restored(int partition, long ownerEpoch, long stored, long next, long now, String topicId,
      int leaderEpoch) {
    Partition p = partitions.get(partition);
    p.topicId = topicId;
    p.leaderEpoch = leaderEpoch;
    p.phase = Phase.READING;
    p.ownerEpoch = ownerEpoch;
    p.planned = stored;
    p.next = next;
    p.lastRecordAt = now;
    p.idleReported = false;
  }

  /** The partition is not read or checkpointed until it is restored again. */
  public void hold(int partition) {
    partitions.get(partition).phase = Phase.HELD;
  }

  /**
   * A record read from Kafka: true when it is to be processed. Records of partitions not being read are skipped.
   * A record before the next offset of a partition being read means the consumer went back on its own: it found
   * the log truncated after a leader change (KIP-320) and, with a reset policy, moved to where the log diverged.
   * The partition is reported ({@link #takeRewinds}) and none of its records is taken until it is restored.
   */
  public boolean accept(int partition, long offset, int bytes, long now) {
    return accept(partition, offset, -1, bytes, now);
  }

  /** The same for a record written under {@code leaderEpoch} (-1: not known), which the next barrier stores. */
  public boolean accept(int partition, long offset, int leaderEpoch, int bytes, long now) {
    Partition p = partitions.get(partition);
    if (p == null || p.phase != Phase.READING || rewinds.containsKey(partition)) {
      return false;
    }
    if (p.next >= 0 && offset < p.next) {
      rewinds.put(partition, offset);
      return false;
    }
    if (p.next >= 0 && offset > p.next) {
      // Offsets skip for transaction markers and compaction, but also when retention removed records before they
      // were read and the consumer jumped to the log start: the caller checks which.
      gaps.putIfAbsent(partition, p.next);
    }
    p.next = offset + 1;
    p.leaderEpoch = leaderEpoch;
    p.lastRecordAt = now;
    p.idleReported = false;
    eventsSinceBarrier++;
    bytesSinceBarrier += bytes;
    inFlightEvents++;
    inFlightBytes += bytes;
    return true;
  }

  /** Partitions whose offsets skipped since the last call, with the offset that was expected; then forgets them. */
  public Map<Integer, Long> takeGaps() {
    if (gaps.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> taken = new HashMap<>(gaps);
    gaps.clear();
    return taken;
  }

  /**
   * A skip in the partition's offsets is being checked for records removed before they were read. Until
   * {@link #gapChecked}, no barrier is planned: a checkpoint of the records after the skip would store an offset
   * past the missing records, back inside the log, and the restore that is to hold the partition would then
   * find nothing wrong with it, now or after a restart.
   */
  public void checkingGap(int partition) {
    if (partitions.containsKey(partition)) {
      gapChecks.merge(partition, 1, Integer::sum);
    }
  }

  /** One check begun by {@link #checkingGap} has its answer (or the partition was restored or revoked since). */
  public void gapChecked(int partition) {
    gapChecks.computeIfPresent(partition, (p, n) -> n > 1 ? n - 1 : null);
  }

  /** Whether a check begun by {@link #checkingGap} is still out for the partition. */
  public boolean awaitsGapCheck(int partition) {
    return gapChecks.containsKey(partition);
  }

  /**
   * Records the partition was to read next are gone from its log (removed by retention, or the log is shorter
   * than what was read): the next restore holds the partition whatever offset it finds stored.
   */
  public void lostRecords(int partition) {
    Partition p = partitions.get(partition);
    if (p != null) {
      p.lostRecords = true;
    }
  }

  /** Whether {@link #lostRecords} was reported for the partition since it was assigned. */
  public boolean hasLostRecords(int partition) {
    Partition p = partitions.get(partition);
    return p != null && p.lostRecords;
  }

  /**
   * Partitions read from an offset below their next one since the last call, with that offset; then forgets them.
   * The caller restores them, which checks the stored position against the log.
   */
  public Map<Integer, Long> takeRewinds() {
    if (rewinds.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> taken = new HashMap<>(rewinds);
    rewinds.clear();
    return taken;
  }

  public long eventsSinceBarrier() {
    return eventsSinceBarrier;
  }

  /**
   * Plans the next barrier: per reading partition with a position, its epoch, the offset stored by the previous
   * barrier and the next one to read.
   *
   * @return null when {@code maxOutstanding} checkpoints are already in flight (the next one then simply grows),
   *     or while a gap is being checked
   */
  public PlannedBarrier planBarrier() {
    if (outstanding.size() >= maxOutstanding || !gapChecks.isEmpty()) {
      return null;
    }
    Map<Integer, OffsetRange> offsets = new HashMap<>();
    partitions.forEach((partition, p) -> {
      if (p.phase == Phase.READING && p.next >= 0) {
        offsets.put(partition, new OffsetRange(p.ownerEpoch, p.planned, p.next, p.topicId, p.leaderEpoch));
        p.planned = p.next;
      }
    });
    long id = ++checkpointSeq;
    outstanding.put(id, new Pending(eventsSinceBarrier, bytesSinceBarrier, offsets));
    eventsSinceBarrier = 0;
    bytesSinceBarrier = 0;
    return new PlannedBarrier(id, offsets);
  }

  /**
   * A checkpoint is done: its events no longer count as in flight; partitions still read under the barrier's
   * epoch get their Kafka offsets committed when the sink committed them, and are restored when it refused them.
   *
   * @return null for a result of no outstanding checkpoint
   */
  public Settled settle(long id, Set<Integer> committed, Set<Integer> fenced) {
    Pending pending = outstanding.remove(id);
    if (pending == null) {
      return null;
    }
    inFlightEvents -= pending.events();
    inFlightBytes -= pending.bytes();
    Map<Integer, Long> commits = new HashMap<>();
    Set<Integer> toRestore = new TreeSet<>();
    pending.offsets().forEach((partition, range) -> {
      Partition p = partitions.get(partition);
      if (p == null || p.phase != Phase.READING || p.ownerEpoch != range.ownerEpoch()) {
        return;
      }
      if (fenced.contains(partition)) {
        toRestore.add(partition);
      } else if (committed.contains(partition)) {
        commits.put(partition, range.next());
      }
    });
    return new Settled(commits, toRestore);
  }

  public boolean hasOutstanding() {
    return !outstanding.isEmpty();
  }

  /** Too much read and not yet committed: the consumer should pause. */
  public boolean overLimit() {
    return inFlightEvents > maxInFlightEvents || inFlightBytes > maxInFlightBytes;
  }

  /** Back to half the limits: a paused consumer may resume. */
  public boolean belowResumeMark() {
    return inFlightEvents <= maxInFlightEvents / 2 && inFlightBytes <= maxInFlightBytes / 2;
  }

  public long inFlightEvents() {
    return inFlightEvents;
  }

  public Set<Integer> owned() {
    return new TreeSet<>(partitions.keySet());
  }

  /** The partition's phase; null when it is not owned. */
  public Phase phase(int partition) {
    Partition p = partitions.get(partition);
    return p == null ? null : p.phase;
  }

  /** Partitions being read (not restoring, not held). */
  public Set<Integer> reading() {
    Set<Integer> reading = new TreeSet<>();
    partitions.forEach((partition, p) -> {
      if (p.phase == Phase.READING) {
        reading.add(partition);
      }
    });
    return reading;
  }

  /** The topic ID a partition was restored under; null when not known or not owned. */
  public String topicId(int partition) {
    Partition p = partitions.get(partition);
    return p == null ? null : p.topicId;
  }

  /** Next offset to read of a reading partition, -1 when unknown. */
  public long next(int partition) {
    Partition p = partitions.get(partition);
    return p == null ? -1 : p.next;
  }

  /** Whether a reading partition has been caught up ({@code lag} 0) and without records for {@code idleMs}. */
  public boolean isIdle(int partition, long lag, long now, long idleMs) {
    Partition p = partitions.get(partition);
    return p != null && p.phase == Phase.READING && lag == 0 && now - p.lastRecordAt >= idleMs;
  }

  /** Wall time since the partition's last record, or since its restore when none was read since. */
  public long quietFor(int partition, long now) {
    Partition p = partitions.get(partition);
    return p == null ? 0 : Math.max(0, now - p.lastRecordAt);
  }

  /**
   * True the first time an idle partition is asked about after its last record (or its restore), false for the
   * rest of the same quiet spell: the caller checkpoints once, right away, what the idle advance closed.
   */
  public boolean startsIdling(int partition) {
    Partition p = partitions.get(partition);
    if (p == null || p.idleReported) {
      return false;
    }
    p.idleReported = true;
    return true;
  }
}
