package io.streampipeline.sink;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.window.WindowJson;
import io.streampipeline.window.WindowResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's PostgreSQL writer. It buffers the events and dead letters that come down the lane and, at each
 * checkpoint, writes in ONE transaction: the events (ON CONFLICT DO NOTHING), the dead letters, the closed
 * windows (the outbox), the window state and the next offsets, guarded per partition by a compare-and-set
 * on the previous offset. Checkpoints run one at a time, in order.
 *
 * <p>PostgreSQL down: the transaction is retried with capped exponential backoff for as long as it takes
 * (ingest pauses meanwhile). Rows PostgreSQL rejects for their data are found by splitting the batch under
 * savepoints and go to the DLQ; the rest is written. A partition whose ownership changed (restored or
 * revoked since its data was read, or fenced by the compare-and-set) is dropped from the transaction; the
 * rest commits.
 */
public final class SinkVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SinkVerticle.class);
  private static final long MAX_BACKOFF_MS = 10_000;
  /** Connections (and parallel transactions) per lane. */
  private static final int CONNECTIONS = 2;

  private final int lane;
  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final ClickstreamCodec codec = new ClickstreamCodec();

  private Pool pool;
  private MessageConsumer<LaneMessage> inbox;
  private List<EnrichedEvent> pendingEvents = new ArrayList<>();
  private List<DeadLetter> pendingDeadLetters = new ArrayList<>();
  /** Bumped whenever a partition's ownership changes; data read under an older generation is not written. */
  private final Map<Integer, Integer> generations = new HashMap<>();
  private final ArrayDeque<CheckpointJob> queue = new ArrayDeque<>();
  private boolean writing;
  private Promise<Void> idle;

  private long statsAt = System.currentTimeMillis();
  private long checkpointsSinceStats;
  private long writtenSinceStats;
  private long deadLettersSinceStats;
  private long windowsSinceStats;

  private record Outcome(Set<Integer> fenced, long written) {
  }

  public SinkVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.lane = lane;
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(CONNECTIONS).setName("sink-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    inbox = vertx.eventBus().consumer(Addresses.laneSink(lane), msg -> onMessage(msg.body()));
    vertx.setPeriodic(10_000, id -> logStats());
    return inbox.completion();
  }

  private void onMessage(LaneMessage message) {
    if (message instanceof EventBatch batch) {
      pendingEvents.addAll(batch.events());
      pendingDeadLetters.addAll(batch.deadLetters());
    } else if (message instanceof Checkpoint checkpoint) {
      queue.add(freeze(checkpoint));
      writeNext();
    } else if (message instanceof PartitionsRestored restored) {
      newOwnership(restored.snapshots().keySet());
    } else if (message instanceof PartitionsRevoked revoked) {
      newOwnership(revoked.partitions());
    } else {
      throw new IllegalStateException("unexpected on the sink: " + message);
    }
  }

  private void newOwnership(Set<Integer> partitions) {
    partitions.forEach(p -> generations.merge(p, 1, Integer::sum));
    pendingEvents.removeIf(e -> partitions.contains(e.partition()));
    pendingDeadLetters.removeIf(d -> partitions.contains(d.partition()));
  }

  private CheckpointJob freeze(Checkpoint checkpoint) {
    Map<Integer, Integer> gens = new HashMap<>();
    checkpoint.offsets().keySet().forEach(p -> gens.put(p, generations.getOrDefault(p, 0)));
    pendingEvents.forEach(e -> gens.putIfAbsent(e.partition(), generations.getOrDefault(e.partition(), 0)));
    pendingDeadLetters.forEach(d -> gens.putIfAbsent(d.partition(), generations.getOrDefault(d.partition(), 0)));
    CheckpointJob job = new CheckpointJob(checkpoint.id(), pendingEvents, pendingDeadLetters,
        checkpoint.closedWindows(), checkpoint.snapshots(), checkpoint.offsets(), gens);
    pendingEvents = new ArrayList<>();
    pendingDeadLetters = new ArrayList<>();
    return job;
  }

  private void writeNext() {
    if (writing || queue.isEmpty()) {
      if (!writing && idle != null) {
        idle.tryComplete();
      }
      return;
    }
    writing = true;
    CheckpointJob job = queue.poll();
    long started = System.nanoTime();
    // One transaction per partition group, in parallel on separate connections: a PostgreSQL backend uses
    // one core, and each partition's rows, state and offset still commit together.
    List<Future<Outcome>> groups = job.partitionGroups(CONNECTIONS).stream()
        .map(group -> attempt(group, 0, WriteMode.PLAIN)).toList();
    Future.all(groups).onComplete(done -> {
      writing = false;
      // attempt() never fails: it retries until it commits or the partitions are gone.
      Set<Integer> fenced = new HashSet<>();
      long written = 0;
      for (Future<Outcome> group : groups) {
        fenced.addAll(group.result().fenced());
        written += group.result().written();
      }
      metrics.checkpoint(Duration.ofNanos(System.nanoTime() - started), job.stateBytes());
      vertx.eventBus().send(Addresses.laneIngest(lane), new CheckpointResult(job.id(), fenced, written));
      writeNext();
    });
  }

  /** Partitions whose ownership changed since the job's data was read. */
  private Set<Integer> stale(CheckpointJob job) {
    return job.generations().entrySet().stream()
        .filter(e -> !e.getValue().equals(generations.getOrDefault(e.getKey(), 0)))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  /**
   * How events are inserted. Plain INSERT first: ON CONFLICT costs PostgreSQL about 13% more CPU per row, and
   * with offsets stored in the same transaction a row can only exist already if the stream repeats an
   * event_id. A unique violation switches that checkpoint to ON CONFLICT DO NOTHING; any other refusal of the
   * data to isolating the bad rows (which also skips duplicates).
   */
  private enum WriteMode {
    PLAIN, SKIP_DUPLICATES, ISOLATE_BAD_ROWS
  }

  private Future<Outcome> attempt(CheckpointJob original, int failures, WriteMode mode) {
    Set<Integer> stale = stale(original);
    CheckpointJob fresh = original.without(stale);
    if (fresh.isEmpty()) {
      return Future.succeededFuture(new Outcome(stale, 0));
    }
    List<DeadLetter> rejected = new ArrayList<>();
    Future<CheckpointJob> ready = mode == WriteMode.ISOLATE_BAD_ROWS
        ? acceptedRows(fresh.events(), rejected).map(fresh::withEvents) : Future.succeededFuture(fresh);
    return ready
        .compose(job -> pool.withTransaction(conn -> write(conn, job, rejected, mode != WriteMode.PLAIN))
            .map(written -> {
              committed(job, rejected, written);
              return new Outcome(stale, written);
            }))
        .recover(err -> {
          if (err instanceof FencedException fenced) {
            metrics.fenced();
            newOwnership(fenced.partitions());
            return attempt(fresh, failures, mode)
                .map(o -> new Outcome(union(union(stale, fenced.partitions()), o.fenced()), o.written()));
          }
          if (mode == WriteMode.PLAIN && isUniqueViolation(err)) {
            return attempt(fresh, failures, WriteMode.SKIP_DUPLICATES)
                .map(o -> new Outcome(union(stale, o.fenced()), o.written()));
          }
          if (isDataError(err) && mode != WriteMode.ISOLATE_BAD_ROWS) {
            log.warn("lane {}: PostgreSQL rejected checkpoint {} for its data ({}); isolating the bad rows", lane,
                fresh.id(), err.getMessage());
            return attempt(fresh, failures, WriteMode.ISOLATE_BAD_ROWS)
                .map(o -> new Outcome(union(stale, o.fenced()), o.written()));
          }
          long backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failures, 10));
          if (failures == 0 || failures % 10 == 0) {
            log.warn("lane {}: checkpoint {} failed ({}); retrying in {} ms, attempt {}", lane, fresh.id(),
                err.toString(), backoff, failures + 1);
          }
          Promise<Void> wait = Promise.promise();
          vertx.setTimer(backoff, id -> wait.complete());
          return wait.future().compose(v -> attempt(fresh, failures + 1, mode))
              .map(o -> new Outcome(union(stale, o.fenced()), o.written()));
        });
  }

  private Future<Long> write(SqlConnection conn, CheckpointJob job, List<DeadLetter> rejected,
      boolean skipDuplicates) {
    return insertEvents(conn, job.events(), skipDuplicates)
        .compose(written -> insertDeadLetters(conn, concat(job.deadLetters(), rejected))
            .compose(v -> upsertWindows(conn, job.windows()))
            .compose(v -> advanceOffsets(conn, job))
            .map(written));
  }

  private Future<Long> insertEvents(SqlConnection conn, List<EnrichedEvent> events, boolean skipDuplicates) {
    if (events.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    String sql = skipDuplicates ? SinkSql.INSERT_EVENTS_SKIPPING_DUPLICATES : SinkSql.INSERT_EVENTS;
    return conn.preparedQuery(sql).execute(EventColumns.of(events))
        .map(rows -> (long) rows.rowCount());
  }

  /**
   * Binary search for the rows PostgreSQL refuses. Each probe inserts a subset in a transaction that is always
   * rolled back (the SQL client rolls a transaction back on the first failed statement, so savepoints cannot
   * keep one open); refused rows become dead letters, the others are returned.
   */
  private Future<List<EnrichedEvent>> acceptedRows(List<EnrichedEvent> events, List<DeadLetter> rejected) {
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
          .compose(left -> acceptedRows(events.subList(mid, events.size()), rejected).map(right -> concat(left, right)));
    });
  }

  /** @return null when PostgreSQL accepts all these rows, else its refusal */
  private Future<Throwable> probe(List<EnrichedEvent> events) {
    return pool.withTransaction(conn -> insertEvents(conn, events, true)
            .compose(n -> Future.<Void>failedFuture(ProbeRolledBack.INSTANCE)))
        .map(v -> (Throwable) null)
        .recover(err -> err == ProbeRolledBack.INSTANCE ? Future.succeededFuture(null)
            : isDataError(err) ? Future.succeededFuture(err) : Future.failedFuture(err));
  }

  /** Ends a probe transaction so that it rolls back. */
  private static final class ProbeRolledBack extends RuntimeException {
    static final ProbeRolledBack INSTANCE = new ProbeRolledBack();

    private ProbeRolledBack() {
      super("probe", null, false, false);
    }
  }

  private DeadLetter rejectedRow(EnrichedEvent row, Throwable err) {
    String reason = "rejected by PostgreSQL: " + (err instanceof PgException pg ? pg.getErrorMessage()
        : err.getMessage());
    log.warn("lane {}: event {} at {}:{} {}", lane, row.event().eventId(), row.partition(), row.offset(), reason);
    return new DeadLetter(config.clickstreamTopic(), row.partition(), row.offset(), reason,
        codec.encode(row.event()), System.currentTimeMillis(), row.replayOf());
  }

  private Future<Void> insertDeadLetters(SqlConnection conn, List<DeadLetter> deadLetters) {
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
    }
    return conn.preparedQuery(SinkSql.INSERT_DEAD_LETTERS).execute(Tuple.tuple()
            .addArrayOfString(topics).addArrayOfInteger(partitions).addArrayOfLong(offsets)
            .addArrayOfString(reasons).addArrayOfString(payloads).addArrayOfString(encodings)
            .addArrayOfLong(failedAt).addArrayOfString(failedAtIso).addArrayOfLong(replayOf))
        .mapEmpty();
  }

  private Future<Void> upsertWindows(SqlConnection conn, List<WindowResult> windows) {
    if (windows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(windows.size());
    for (WindowResult w : windows) {
      rows.add(Tuple.tuple()
          .addString(w.windowId()).addString(w.type().wireName()).addLong(w.windowStart()).addLong(w.windowEnd())
          .addInteger(w.partition()).addString(w.userId()).addString(w.sessionId())
          .addLong(w.eventCount()).addLong(w.uniqueUsers()).addLong(w.pageViews()).addLong(w.addToCarts())
          .addLong(w.purchases()).addLong(w.totalRevenueCents())
          .addArrayOfString(w.topProducts().toArray(new String[0]))
          .addArrayOfString(w.topCategories().toArray(new String[0]))
          .addArrayOfString(w.productIds()).addArrayOfLong(boxed(w.productCounts()))
          .addArrayOfString(w.categoryNames()).addArrayOfLong(boxed(w.categoryCounts()))
          .addLong(w.emittedAt()));
    }
    return conn.preparedQuery(SinkSql.UPSERT_WINDOWS).executeBatch(rows).mapEmpty();
  }

  /** Moves every partition's stored offset from previous to next, or fails with the partitions that moved. */
  private Future<Void> advanceOffsets(SqlConnection conn, CheckpointJob job) {
    List<Integer> advance = new ArrayList<>();
    List<Integer> create = new ArrayList<>();
    job.offsets().forEach((p, range) -> (range.previous() < 0 ? create : advance).add(p));
    Set<Integer> confirmed = new HashSet<>();
    Future<Void> advanced = advance.isEmpty() ? Future.succeededFuture()
        : conn.preparedQuery(SinkSql.ADVANCE_CHECKPOINTS).execute(checkpointTuple(job, advance, true))
            .map(rows -> collectPartitions(rows, confirmed));
    return advanced
        .compose(v -> create.isEmpty() ? Future.succeededFuture()
            : conn.preparedQuery(SinkSql.CREATE_CHECKPOINTS).execute(checkpointTuple(job, create, false))
                .map(rows -> collectPartitions(rows, confirmed)))
        .compose(v -> {
          Set<Integer> fenced = new HashSet<>(job.offsets().keySet());
          fenced.removeAll(confirmed);
          return fenced.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new FencedException(fenced));
        });
  }

  private Tuple checkpointTuple(CheckpointJob job, List<Integer> partitions, boolean withPrevious) {
    int n = partitions.size();
    Integer[] ps = partitions.toArray(new Integer[0]);
    Long[] previous = new Long[n];
    Long[] next = new Long[n];
    Buffer[] snapshots = new Buffer[n];
    for (int i = 0; i < n; i++) {
      OffsetRange range = job.offsets().get(ps[i]);
      previous[i] = range.previous();
      next[i] = range.next();
      byte[] snapshot = job.snapshots().get(ps[i]);
      snapshots[i] = snapshot == null ? null : Buffer.buffer(snapshot);
    }
    Tuple tuple = Tuple.tuple().addString(config.consumerGroup()).addString(config.clickstreamTopic())
        .addLong(job.id()).addArrayOfInteger(ps);
    if (withPrevious) {
      tuple.addArrayOfLong(previous);
    }
    return tuple.addArrayOfLong(next).addArrayOfBuffer(snapshots);
  }

  private static Void collectPartitions(io.vertx.sqlclient.RowSet<Row> rows, Set<Integer> into) {
    rows.forEach(row -> into.add(row.getInteger(0)));
    return null;
  }

  private void committed(CheckpointJob job, List<DeadLetter> rejected, long written) {
    long now = System.currentTimeMillis();
    metrics.written(written);
    metrics.sinkBatch(job.events().size());
    for (EnrichedEvent e : job.events()) {
      metrics.endToEnd(now - e.event().timestamp());
    }
    int deadLetters = job.deadLetters().size() + rejected.size();
    if (!rejected.isEmpty()) {
      rejected.forEach(r -> metrics.failed("sink"));
    }
    metrics.dlq(deadLetters);
    job.windows().forEach(w -> metrics.emitted(w.type().wireName()));
    checkpointsSinceStats++;
    writtenSinceStats += written;
    deadLettersSinceStats += deadLetters;
    windowsSinceStats += job.windows().size();
    for (WindowResult window : job.windows()) {
      vertx.eventBus().publish(Addresses.WINDOWS_CLOSED, WindowJson.of(window));
    }
    if (deadLetters > 0 || !job.windows().isEmpty()) {
      vertx.eventBus().publish(Addresses.OUTBOX_READY, null);
    }
  }

  private void logStats() {
    long now = System.currentTimeMillis();
    if (checkpointsSinceStats == 0) {
      statsAt = now;
      return;
    }
    double seconds = (now - statsAt) / 1000.0;
    log.info("lane {}: {} checkpoints flushed, {} events written ({}/s), {} to DLQ, {} windows closed", lane,
        checkpointsSinceStats, writtenSinceStats, Math.round(writtenSinceStats / seconds), deadLettersSinceStats,
        windowsSinceStats);
    statsAt = now;
    checkpointsSinceStats = 0;
    writtenSinceStats = 0;
    deadLettersSinceStats = 0;
    windowsSinceStats = 0;
  }

  static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** Errors caused by the rows themselves (SQLSTATE classes 22, 23, 54); anything else is worth a retry. */
  static boolean isDataError(Throwable err) {
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
  }

  private static Long[] boxed(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
    Set<Integer> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  /** Graceful stop: finish the checkpoints already queued. */
  @Override
  public Future<?> stop() {
    idle = Promise.promise();
    writeNext();
    return idle.future().timeout(60, java.util.concurrent.TimeUnit.SECONDS)
        .recover(err -> Future.succeededFuture())
        .eventually(() -> pool.close());
  }
}
