package io.streampipeline.sink;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes checkpoints to PostgreSQL: the statements of {@link SinkSql} and the rows they take. One transaction
 * per checkpoint (or per partition group of one), set-based: one statement per table.
 */
public final class CheckpointWriter implements CheckpointStore {
  private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);

  private final Pool pool;
  private final String consumerGroup;
  private final String topic;
  private final ClickstreamCodec codec = new ClickstreamCodec();
  private final CommittedEvents committedEvents;

  /** Told the event time of every event a transaction stored, once it committed: the end-to-end latency. */
  @FunctionalInterface
  interface CommittedEvents {
    void committed(long[] eventTimes, long committedAtMs);
  }

  CheckpointWriter(Pool pool, String consumerGroup, String topic) {
    this(pool, consumerGroup, topic, (eventTimes, committedAtMs) -> {
    });
  }

  CheckpointWriter(Pool pool, String consumerGroup, String topic, CommittedEvents committedEvents) {
    this.pool = pool;
    this.consumerGroup = consumerGroup;
    this.topic = topic;
    this.committedEvents = committedEvents;
  }

  @Override
  public Future<Long> commit(CheckpointJob job, WriteMode mode, List<DeadLetter> rejected) {
    long[] eventTimes = new long[job.events().size()];
    // Plain mode assumes no row of the checkpoint is stored yet; after a duplicate key (SinkPolicy) they may be.
    return pool.withTransaction(conn -> write(conn, job, rejected, mode != WriteMode.PLAIN, eventTimes))
        .onSuccess(written -> committedEvents.committed(eventTimes, System.currentTimeMillis()));
  }

  /**
   * Sends every statement of the checkpoint at once, without waiting for the one before: the connection pipelines
   * them (Endpoints: pipelining limit), so PostgreSQL executes the events while this thread builds and encodes the
   * next chunk of events, the windows and the rest, where before each statement's encoding waited for the previous
   * statement's reply. PostgreSQL still runs them in this order, and the first one to fail decides the outcome:
   * the transaction is aborted from there on, and a failed future makes withTransaction roll it back. So a
   * checkpoint whose compare-and-set refuses a partition commits nothing, although its state writes were sent.
   */
  private Future<Long> write(SqlConnection conn, CheckpointJob job, List<DeadLetter> rejected,
      boolean rowsMayBeStored, long[] eventTimes) {
    Future<Long> events = insertEvents(conn, job.events(), rowsMayBeStored, eventTimes);
    Future<Void> deadLetters = insertDeadLetters(conn, concat(job.deadLetters(), rejected), job);
    Future<Void> windows = writeWindows(conn, job.windows(), rowsMayBeStored);
    Future<Void> offsets = advanceOffsets(conn, job);
    Future<Void> state = writeStateChanges(conn, job);
    return events.compose(written -> deadLetters
        .compose(v -> windows)
        .compose(v -> offsets)
        .compose(v -> state)
        .map(written));
  }

  @Override
  public Failure classify(Throwable err) {
    if (err instanceof FencedException) {
      return Failure.FENCED;
    }
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) {
      return Failure.UNAVAILABLE;
    }
    String state = pg.getSqlState();
    if ("23505".equals(state)) {
      return Failure.DUPLICATE_KEY;
    }
    // SQLSTATE classes 22, 23 and 54 are caused by the rows themselves; anything else is worth a retry.
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54") ? Failure.BAD_DATA
        : Failure.UNAVAILABLE;
  }

  /** @param eventTimes receives the events' times in their order, or null */
  private Future<Long> insertEvents(SqlConnection conn, List<EnrichedEvent> events, boolean skipDuplicates,
      long[] eventTimes) {
    if (events.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    String sql = skipDuplicates ? SinkSql.INSERT_EVENTS_SKIPPING_DUPLICATES : SinkSql.INSERT_EVENTS;
    // In chunks, so that PostgreSQL inserts the first while this thread encodes the next (see write).
    Future<Long> written = Future.succeededFuture(0L);
    int from = 0;
    for (List<EnrichedEvent> chunk : EventColumns.chunks(events, EventColumns.CHUNK)) {
      Future<Long> inserted = conn.preparedQuery(sql).execute(EventColumns.of(chunk, eventTimes, from))
          .map(rows -> (long) rows.rowCount());
      written = written.compose(sum -> inserted.map(n -> sum + n));
      from += chunk.size();
    }
    return written;
  }

  /**
   * Binary search for the rows PostgreSQL refuses. Each probe inserts a subset in a transaction that is always
   * rolled back (the SQL client rolls a transaction back on the first failed statement, so savepoints cannot
   * keep one open); refused rows become dead letters, the others are returned.
   */
  @Override
  public Future<List<EnrichedEvent>> acceptedRows(List<EnrichedEvent> events, List<DeadLetter> rejected) {
    if (events.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return probe(events).compose(refusal -> {
      if (refusal == null) {
        return Future.succeededFuture(events);
      }
      if (events.size() == 1) {
        rejected.add(rejectedRow(events.get(0), refusal));
        return Future.succeededFuture(List.of());
      }
      int mid = events.size() / 2;
      return acceptedRows(events.subList(0, mid), rejected)
          .compose(left -> acceptedRows(events.subList(mid, events.size()), rejected)
              .map(right -> concat(left, right)));
    });
  }

  /** @return null when PostgreSQL accepts all these rows, else its refusal */
  private Future<Throwable> probe(List<EnrichedEvent> events) {
    return pool.withTransaction(conn -> insertEvents(conn, events, true, null)
            .compose(n -> Future.<Void>failedFuture(ProbeRolledBack.INSTANCE)))
        .map(v -> (Throwable) null)
        .recover(err -> err == ProbeRolledBack.INSTANCE ? Future.succeededFuture(null)
            : classify(err) == Failure.BAD_DATA ? Future.succeededFuture(err) : Future.failedFuture(err));
  }

  /** Ends a probe transaction so that it rolls back. */
  private static final class ProbeRolledBack extends RuntimeException {
    static final ProbeRolledBack INSTANCE = new ProbeRolledBack();

    private ProbeRolledBack() {
      super("probe", null, false, false);
    }
  }

  /** The dead letter of a row PostgreSQL refused: the bytes as read from Kafka, like every other dead letter. */
  private DeadLetter rejectedRow(EnrichedEvent row, Throwable err) {
    String reason = "rejected by PostgreSQL: " + (err instanceof PgException pg ? pg.getErrorMessage()
        : err.getMessage());
    log.warn("event {} at {}:{} {}", row.event().eventId(), row.partition(), row.offset(), reason);
    byte[] payload = row.original() != null ? row.original() : codec.encode(row.event());
    return new DeadLetter(topic, row.partition(), row.offset(), reason, payload, System.currentTimeMillis(),
        row.replayOf());
  }

  private Future<Void> insertDeadLetters(SqlConnection conn, List<DeadLetter> deadLetters, CheckpointJob job) {
    if (deadLetters.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = deadLetters.size();
    String[] topics = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    String[] reasons = new String[n];
    String[] payloads = new String[n];
    String[] encodings = new String[n];
    Long[] failedAt = new Long[n];
    String[] failedAtIso = new String[n];
    Long[] replayOf = new Long[n];
    String[] topicIds = new String[n];
    for (int i = 0; i < n; i++) {
      DeadLetter d = deadLetters.get(i);
      String[] text = DeadLetterRows.payloadText(d.payload());
      topics[i] = d.sourceTopic();
      partitions[i] = d.partition();
      offsets[i] = d.offset();
      reasons[i] = d.reason();
      payloads[i] = text[0];
      encodings[i] = text[1];
      failedAt[i] = d.failedAt();
      failedAtIso[i] = DeadLetterRows.iso(d.failedAt());
      replayOf[i] = d.replayOf();
      topicIds[i] = sourceTopicId(d, job);
    }
    return conn.preparedQuery(SinkSql.INSERT_DEAD_LETTERS).execute(Tuple.tuple()
            .addArrayOfString(topics).addArrayOfInteger(partitions).addArrayOfLong(offsets)
            .addArrayOfString(reasons).addArrayOfString(payloads).addArrayOfString(encodings)
            .addArrayOfLong(failedAt).addArrayOfString(failedAtIso).addArrayOfLong(replayOf)
            .addArrayOfString(topicIds))
        .mapEmpty();
  }

  /**
   * The log a dead letter was read from. A row PostgreSQL refused was read from the log the checkpoint's offsets
   * name; '' when not known (the unique key needs a value).
   */
  private static String sourceTopicId(DeadLetter d, CheckpointJob job) {
    if (d.sourceTopicId() != null) {
      return d.sourceTopicId();
    }
    OffsetRange range = job.offsets().get(d.partition());
    return range == null || range.topicId() == null ? "" : range.topicId();
  }

  /** Plain inserts first; after a duplicate key the upsert (SinkSql#INSERT_WINDOWS says why). */
  private Future<Void> writeWindows(SqlConnection conn, List<WindowResult> windows, boolean upsert) {
    if (windows.isEmpty()) {
      return Future.succeededFuture();
    }
    String sql = upsert ? SinkSql.UPSERT_WINDOWS : SinkSql.INSERT_WINDOWS;
    return conn.preparedQuery(sql).execute(WindowColumns.of(windows)).mapEmpty();
  }

  /** Moves every partition's stored offset from previous to next, or fails with the partitions it refused. */
  private Future<Void> advanceOffsets(SqlConnection conn, CheckpointJob job) {
    if (job.offsets().isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(SinkSql.ADVANCE_CHECKPOINTS).execute(checkpointTuple(job))
        .compose(rows -> {
          Set<Integer> refused = new HashSet<>(job.offsets().keySet());
          refused.removeAll(partitionsOf(rows));
          return refused.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new FencedException(refused));
        });
  }

  private Tuple checkpointTuple(CheckpointJob job) {
    Integer[] partitions = job.offsets().keySet().toArray(new Integer[0]);
    int n = partitions.length;
    Long[] epochs = new Long[n];
    Long[] previous = new Long[n];
    Long[] next = new Long[n];
    Buffer[] snapshots = new Buffer[n];
    Long[] changes = new Long[n];
    String[] topicIds = new String[n];
    Integer[] leaderEpochs = new Integer[n];
    for (int i = 0; i < n; i++) {
      OffsetRange range = job.offsets().get(partitions[i]);
      topicIds[i] = range.topicId();
      leaderEpochs[i] = range.leaderEpoch() < 0 ? null : range.leaderEpoch();
      epochs[i] = range.ownerEpoch();
      previous[i] = range.previous();
      next[i] = range.next();
      StateWrite state = job.states().get(partitions[i]);
      // A delta leaves the base snapshot as it is (null: COALESCE keeps the stored one), as does a partition
      // whose state did not change.
      snapshots[i] = state == null || !state.full() ? null : Buffer.buffer(state.bytes());
      // How many deltas the base then carries: none after a full snapshot, this one's seq after a delta.
      changes[i] = state == null ? null : state.full() ? 0L : state.seq();
    }
    return Tuple.tuple().addString(consumerGroup).addString(topic).addLong(job.id()).addArrayOfInteger(partitions)
        .addArrayOfLong(epochs).addArrayOfLong(previous).addArrayOfLong(next).addArrayOfBuffer(snapshots)
        .addArrayOfLong(changes).addArrayOfString(topicIds).addArrayOfInteger(leaderEpochs);
  }

  /**
   * The state writes besides the base snapshot, behind the compare-and-set: a transaction in which it refused any
   * partition fails and rolls back whole, these writes with it. Full snapshots delete their partitions' stored
   * deltas, deltas add one row each. One statement per kind.
   */
  private Future<Void> writeStateChanges(SqlConnection conn, CheckpointJob job) {
    List<Integer> fullPartitions = new ArrayList<>();
    List<Integer> deltaPartitions = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    List<Buffer> deltas = new ArrayList<>();
    job.states().forEach((p, state) -> {
      if (state == null || !job.offsets().containsKey(p)) {
        return;
      }
      if (state.full()) {
        fullPartitions.add(p);
      } else {
        deltaPartitions.add(p);
        seqs.add(state.seq());
        deltas.add(Buffer.buffer(state.bytes()));
      }
    });
    Future<Void> deleted = fullPartitions.isEmpty() ? Future.succeededFuture()
        : conn.preparedQuery(SinkSql.DELETE_STATE_CHANGES).execute(Tuple.tuple().addString(consumerGroup)
            .addString(topic).addArrayOfInteger(fullPartitions.toArray(new Integer[0]))).mapEmpty();
    if (deltaPartitions.isEmpty()) {
      return deleted;
    }
    Future<RowSet<Row>> inserted = conn.preparedQuery(SinkSql.INSERT_STATE_CHANGES).execute(Tuple.tuple()
        .addString(consumerGroup).addString(topic).addArrayOfInteger(deltaPartitions.toArray(new Integer[0]))
        .addArrayOfLong(seqs.toArray(new Long[0])).addArrayOfBuffer(deltas.toArray(new Buffer[0])));
    return deleted.compose(v -> inserted)
        .compose(rows -> {
          Set<Integer> refused = new HashSet<>(deltaPartitions);
          refused.removeAll(partitionsOf(rows));
          return refused.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new FencedException(refused));
        });
  }

  private static Set<Integer> partitionsOf(RowSet<Row> rows) {
    Set<Integer> partitions = new HashSet<>();
    rows.forEach(row -> partitions.add(row.getInteger(0)));
    return partitions;
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
