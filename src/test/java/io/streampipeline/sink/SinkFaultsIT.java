package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.sink.CheckpointClaims.Claimed;
import io.streampipeline.sink.CheckpointRunner.Outcome;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import io.streampipeline.window.WindowIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's protocol against the real database with faults put between them: a COMMIT whose reply is lost, a
 * compare-and-set refused while later checkpoints are already queued, and one partition group that is always
 * slow. A small stand-in for ingest plans checkpoints as the lane does (two outstanding, each planned before
 * the previous one's outcome is known) and restores what is refused from the claimed position. Afterwards, per
 * partition, the events stored are exactly those below the stored offset, each once; so are the dead letters
 * and the windows.
 */
class SinkFaultsIT {
  private static final String GROUP = "faults";
  private static final String TOPIC = "faults.events";
  private static final int PARTITIONS = 4;
  private static final long STEP = 10;

  /** The real writer, with faults on request. */
  private static final class FaultyStore implements CheckpointStore {
    private final CheckpointStore real;
    private final Vertx vertx;
    boolean loseNextCommitReply;

    FaultyStore(CheckpointStore real, Vertx vertx) {
      this.real = real;
      this.vertx = vertx;
    }

    @Override
    public Future<Long> commit(CheckpointJob job, WriteMode mode, List<DeadLetter> rejected) {
      // Partition group 1 (odd partitions) is always 200 ms slower than group 0.
      Future<Void> delay = Future.succeededFuture();
      if (job.offsets().keySet().stream().anyMatch(p -> p % 2 == 1)) {
        Promise<Void> later = Promise.promise();
        vertx.setTimer(200, id -> later.complete());
        delay = later.future();
      }
      return delay.compose(v -> real.commit(job, mode, rejected)).compose(written -> {
        if (loseNextCommitReply) {
          loseNextCommitReply = false;
          return Future.failedFuture(new IllegalStateException("connection reset after COMMIT"));
        }
        return Future.succeededFuture(written);
      });
    }

    @Override
    public Future<List<EnrichedEvent>> acceptedRows(List<EnrichedEvent> events, List<DeadLetter> rejected) {
      return real.acceptedRows(events, rejected);
    }

    @Override
    public Failure classify(Throwable err) {
      return real.classify(err);
    }
  }

  private Vertx vertx;
  private Context context;
  private Pool pool;
  private Db db;
  private FaultyStore store;
  private SinkOwnership ownership;
  private CheckpointRunner runner;
  private final Map<Integer, Long> epochs = new HashMap<>();
  /** Per partition: the offset the last planned checkpoint stores (the next one's guard). */
  private final Map<Integer, Long> planned = new HashMap<>();
  /** Per partition: the seq of the last planned state delta; -1 when no base is stored (the next write is full). */
  private final Map<Integer, Long> stateSeq = new HashMap<>();
  private long checkpointId;
  /** The event times the writer reported as stored by a committed transaction (the end-to-end latency's input). */
  private final List<Long> timedEvents = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    db = new Db(infra, database);
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    PgConnectOptions options = infra.pgConnectOptions(database);
    onContext(() -> {
      pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
      store = new FaultyStore(new CheckpointWriter(pool, GROUP, TOPIC,
          (eventTimes, committedAtMs) -> Arrays.stream(eventTimes).forEach(timedEvents::add)), vertx);
      ownership = new SinkOwnership();
      runner = new CheckpointRunner(store, ownership, 2, ms -> {
        Promise<Void> done = Promise.promise();
        vertx.setTimer(ms, id -> done.complete());
        return done.future();
      }, new CheckpointRunner.Listener() {
        @Override
        public void committed(CheckpointJob job, List<DeadLetter> rejected, long written) {
        }

        @Override
        public void refused(Map<Integer, Long> ownerEpochs) {
        }
      }, "faults");
      return Future.succeededFuture();
    });
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** Runs Vert.x work on one context, as the sink verticle does, and waits for it. */
  private <T> T onContext(Supplier<Future<T>> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> work.get().onComplete((value, err) -> {
      if (err != null) {
        result.completeExceptionally(err);
      } else {
        result.complete(value);
      }
    }));
    return result.get(60, TimeUnit.SECONDS);
  }

  /** What ingest does on assignment or after a refusal: claim, read the stored position, accept the epoch. */
  private void restore(Set<Integer> partitions) throws Exception {
    Map<Integer, Claimed> claimed = onContext(() -> CheckpointClaims.claim(pool, GROUP, TOPIC, partitions));
    claimed.forEach((p, claim) -> {
      epochs.put(p, claim.ownerEpoch());
      planned.put(p, claim.nextOffset());
      stateSeq.put(p, claim.snapshot() == null ? -1L : claim.changes().size());
      ownership.restored(p, claim.ownerEpoch());
    });
  }

  /** A newer owner claims the partition behind the sink's back. */
  private void claimedElsewhere(int partition) throws Exception {
    onContext(() -> CheckpointClaims.claim(pool, GROUP, TOPIC, Set.of(partition)));
  }

  private static EnrichedEvent event(int partition, long offset) {
    return EventRules.enrich(new ClickstreamEvent("ev-" + partition + "-" + offset, EventType.PAGE_VIEW,
        1_790_000_000_000L + offset * 1000, "user_" + partition, "s", null, null, null, null, null,
        "https://shop.example/", null, "Mozilla/5.0", "192.0.2.8", "PT", null), partition, offset);
  }

  private static WindowResult window(int partition, long from) {
    long start = 1_790_000_000_000L + from * 1000;
    return new WindowResult(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, start, partition),
        WindowType.EVENTS_PER_MINUTE, start, start + 60_000, partition, null, null, STEP, 1, STEP, 0, 0, 0, List.of(),
        List.of(), new String[0], new long[0], new String[0], new long[0], 0);
  }

  /**
   * The next checkpoint as the lane plans it: each partition's next {@link #STEP} offsets (every tenth one a dead
   * letter, one closed window), guarded by what the previous checkpoint stores.
   */
  private CheckpointJob plan(Set<Integer> partitions) {
    List<EnrichedEvent> events = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    List<WindowResult> windows = new ArrayList<>();
    Map<Integer, OffsetRange> offsets = new HashMap<>();
    Map<Integer, StateWrite> snapshots = new HashMap<>();
    Map<Integer, Long> jobEpochs = new HashMap<>();
    for (int p : partitions) {
      long previous = planned.get(p);
      long from = Math.max(0, previous);
      for (long o = from; o < from + STEP; o++) {
        if (o % 10 == 3) {
          deadLetters.add(new DeadLetter(TOPIC, p, o, "bad " + o, new byte[] {1, 2, (byte) o}, 0));
        } else {
          events.add(event(p, o));
        }
      }
      windows.add(window(p, from));
      offsets.put(p, new OffsetRange(epochs.get(p), previous, from + STEP));
      // State as the window stage writes it: a full snapshot when no base is stored (and now and then), deltas
      // numbered on from the stored ones otherwise. Each names the offset range it accounts for.
      long seq = stateSeq.get(p);
      byte[] state = {(byte) p, (byte) from};
      if (seq < 0 || seq == 3) {
        snapshots.put(p, StateWrite.full(state));
        stateSeq.put(p, 0L);
      } else {
        snapshots.put(p, StateWrite.delta(seq + 1, state));
        stateSeq.put(p, seq + 1);
      }
      jobEpochs.put(p, epochs.get(p));
      planned.put(p, from + STEP);
    }
    return new CheckpointJob(++checkpointId, events, deadLetters, windows, snapshots, offsets, jobEpochs);
  }

  private Outcome run(CheckpointJob job) throws Exception {
    return onContext(() -> runner.run(job));
  }

  private static Set<Integer> all() {
    return Set.of(0, 1, 2, 3);
  }

  @Test
  void everyFaultLeavesExactlyWhatTheStoredOffsetsAccountFor() throws Exception {
    restore(all());

    // A lost COMMIT reply (group 0, the fast one): checkpoint 1 landed there, its retry is refused; checkpoint 2
    // was already queued. Group 1 commits both.
    store.loseNextCommitReply = true;
    CheckpointJob first = plan(all());
    CheckpointJob second = plan(all());
    Outcome refused = run(first);
    assertEquals(Set.of(0, 2), refused.fenced(), "the retry of a landed checkpoint is refused");
    assertEquals(Set.of(1, 3), refused.committed());
    assertEquals(Set.of(0, 2), run(second).fenced(),
        "nothing of a refused partition is written until it is restored");
    restore(refused.fenced());
    assertEquals(all(), run(plan(all())).committed());

    // A newer owner claims partition 1 while two checkpoints are queued; the lane restores it and catches up.
    CheckpointJob third = plan(all());
    CheckpointJob fourth = plan(all());
    claimedElsewhere(1);
    Outcome partly = run(third);
    assertEquals(Set.of(1), partly.fenced());
    assertEquals(0, db.count("SELECT count(*) FROM pipeline_state_changes WHERE partition = 1 AND changes = '\\x01"
        + String.format("%02x", (int) third.offsets().get(1).previous()) + "'"),
        "the refused partition's state write is not stored");
    assertEquals(Set.of(0, 2, 3), partly.committed());
    Outcome queued = run(fourth);
    assertEquals(Set.of(1), queued.fenced());
    assertEquals(Set.of(0, 2, 3), queued.committed());
    restore(Set.of(1));
    for (int i = 0; i < 3; i++) {
      assertEquals(all(), run(plan(all())).committed());
    }

    Map<Integer, Long> stored = new TreeMap<>();
    db.rows("SELECT partition, next_offset FROM pipeline_checkpoints").forEach(r -> stored.put(
        ((Number) r.get("partition")).intValue(), ((Number) r.get("next_offset")).longValue()));
    assertEquals(Map.of(0, 70L, 1, 60L, 2, 70L, 3, 80L), stored);
    assertStoredStateAccountsFor(stored);
    List<Long> storedEventTimes = new ArrayList<>();
    for (int p : all()) {
      long end = stored.get(p);
      for (long o = 0; o < end; o++) {
        if (o % 10 != 3) {
          storedEventTimes.add(event(p, o).event().timestamp());
        }
      }
    }
    Collections.sort(storedEventTimes);
    Collections.sort(timedEvents);
    assertEquals(storedEventTimes, timedEvents, "every stored event timed once, none of a transaction that failed");
    for (int p : all()) {
      long end = stored.get(p);
      Set<Long> expectedEvents = new TreeSet<>();
      Set<Long> expectedDeadLetters = new TreeSet<>();
      for (long o = 0; o < end; o++) {
        (o % 10 == 3 ? expectedDeadLetters : expectedEvents).add(o);
      }
      assertEquals(expectedEvents, offsets("SELECT event_id AS o FROM clickstream_events WHERE user_id = 'user_" + p
          + "'", true), "partition " + p + ": every event below the stored offset, once");
      assertEquals(expectedDeadLetters, offsets("SELECT source_offset AS o FROM dead_letter_events "
          + "WHERE source_partition = " + p, false), "partition " + p + ": its dead letters");
      assertEquals(end / STEP, db.count("SELECT count(*) FROM aggregated_metrics WHERE source_partition = " + p),
          "partition " + p + ": one window per checkpoint that counts");
    }
  }

  /**
   * Per partition, the stored base and its deltas (seq 1, 2, ... without a gap) are the state writes of the
   * committed checkpoints since the last full one, in order, up to the stored offset: none of a refused
   * checkpoint, none lost, none left from before the base.
   */
  private void assertStoredStateAccountsFor(Map<Integer, Long> stored) {
    for (int p : all()) {
      byte[] base = (byte[]) db.rows("SELECT state_snapshot FROM pipeline_checkpoints WHERE partition = " + p).get(0)
          .get("state_snapshot");
      List<Map<String, Object>> changes = db.rows("SELECT seq, changes FROM pipeline_state_changes WHERE partition = "
          + p + " ORDER BY seq");
      long from = base[1];
      for (int i = 0; i < changes.size(); i++) {
        assertEquals(i + 1L, ((Number) changes.get(i).get("seq")).longValue(), "partition " + p + ": seq");
        long next = ((byte[]) changes.get(i).get("changes"))[1];
        assertEquals(from + STEP, next, "partition " + p + ": delta " + (i + 1) + " follows the one before");
        from = next;
      }
      assertEquals(stored.get(p), from + STEP, "partition " + p + ": the last state write is the stored offset's");
    }
  }

  /**
   * The COMMIT of an idle checkpoint (offset unmoved) that wrote a delta lands but its reply is lost: the retry's
   * compare-and-set matches again, the delta's row is already there, and the partition is refused (restored from
   * what is stored) instead of its delta being written twice or silently taken as written.
   */
  @Test
  void aLostCommitReplyOfAnIdleDeltaEndsInARestoreNotInADoubleWrite() throws Exception {
    restore(Set.of(0));
    assertEquals(Set.of(0), run(plan(Set.of(0))).committed());
    long offset = planned.get(0);
    Map<Integer, StateWrite> delta = Map.of(0, StateWrite.delta(1, new byte[] {0, (byte) (offset - STEP)}));
    CheckpointJob idle = new CheckpointJob(++checkpointId, List.of(), List.of(), List.of(), delta,
        Map.of(0, new OffsetRange(epochs.get(0), offset, offset)), Map.of(0, epochs.get(0)));
    store.loseNextCommitReply = true;
    Outcome outcome = run(idle);
    assertEquals(Set.of(0), outcome.fenced());
    assertEquals(1, db.count("SELECT count(*) FROM pipeline_state_changes WHERE partition = 0"));
    restore(Set.of(0));
    assertEquals(1L, stateSeq.get(0), "the restore reads the delta that landed");
  }

  private Set<Long> offsets(String sql, boolean fromEventId) {
    return db.rows(sql).stream().map(r -> fromEventId
            ? Long.parseLong(((String) r.get("o")).substring(((String) r.get("o")).lastIndexOf('-') + 1))
            : ((Number) r.get("o")).longValue())
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
