package io.streampipeline.sink;

import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.JsonLogLayout;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.window.WindowJson;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's PostgreSQL writer: buffers the events and dead letters that come down the lane and, at each
 * checkpoint, hands them with the checkpoint's windows, state and offsets to {@link CheckpointRunner}, one
 * checkpoint at a time, in order. It keeps which partitions may be written under which owner epoch
 * ({@link SinkOwnership}): data of a partition that is not accepted is dropped on arrival, so after a refusal
 * nothing of that partition is written until the lane restores it; a refusal drops only what was buffered under
 * the refused epoch ({@link PendingRows}), never what a newer epoch of the same partition has read. When a
 * checkpoint is done it tells ingest which partitions committed and which were refused, counts, and announces the
 * outbox rows.
 */
public final class SinkVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SinkVerticle.class);
  private static final long STATS_PERIOD_MS = 10_000;
  private static final long STOP_TIMEOUT_SECONDS = 60;

  private final int lane;
  /** Connections (and parallel transactions) of this lane: POSTGRES_POOL_SIZE. */
  private final int connections;
  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final SinkOwnership ownership = new SinkOwnership();
  private final PendingRows pending = new PendingRows(ownership);

  private Pool pool;
  private CheckpointRunner runner;
  private MessageConsumer<LaneMessage> inbox;
  private final ArrayDeque<CheckpointJob> queue = new ArrayDeque<>();
  private boolean writing;
  private Promise<Void> idle;
  private long statsTimer;

  private long statsAt = System.currentTimeMillis();
  private long checkpointsSinceStats;
  private long writtenSinceStats;
  private long deadLettersSinceStats;
  private long windowsSinceStats;

  public SinkVerticle(int lane, PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.lane = lane;
    this.connections = config.connections().postgresPoolSize();
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    context.put(JsonLogLayout.LANE, lane);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(connections).setName("sink-lane-" + lane))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    LongFunction<Future<Void>> sleep = ms -> {
      Promise<Void> done = Promise.promise();
      vertx.setTimer(ms, id -> done.complete());
      return done.future();
    };
    CheckpointStore store = new CheckpointWriter(pool, config.kafka().consumerGroup(),
        config.kafka().clickstreamTopic(), metrics::endToEnd);
    runner = new CheckpointRunner(store, ownership, connections, sleep, new CheckpointRunner.Listener() {
      @Override
      public void committed(CheckpointJob job, List<DeadLetter> rejected, long written) {
        onCommitted(job, rejected, written);
      }

      @Override
      public void refused(Map<Integer, Long> ownerEpochs) {
        metrics.fenced();
        pending.refused(ownerEpochs);
      }
    }, String.valueOf(lane));
    inbox = vertx.eventBus().consumer(Addresses.laneSink(lane), msg -> onMessage(msg.body()));
    statsTimer = vertx.setPeriodic(STATS_PERIOD_MS, id -> logStats());
    return inbox.completion();
  }

  private void onMessage(LaneMessage message) {
    if (message instanceof EventBatch batch) {
      pending.add(batch);
    } else if (message instanceof Checkpoint checkpoint) {
      queue.add(pending.freeze(checkpoint));
      writeNext();
    } else if (message instanceof PartitionsRestored restored) {
      pending.drop(restored.partitions().keySet());
      restored.partitions().forEach((p, r) -> ownership.restored(p, r.ownerEpoch()));
    } else if (message instanceof PartitionsRevoked revoked) {
      pending.drop(revoked.partitions());
      revoked.partitions().forEach(ownership::revoked);
    } else {
      throw new IllegalStateException("unexpected on the sink: " + message);
    }
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
    runner.run(job).onComplete(done -> {
      writing = false;
      CheckpointRunner.Outcome outcome = done.result();
      metrics.checkpoint(Duration.ofNanos(System.nanoTime() - started), job.stateBytes());
      vertx.eventBus().send(Addresses.laneIngest(lane), new CheckpointResult(job.id(), outcome.committed(),
          outcome.fenced(), outcome.written()));
      writeNext();
    });
  }

  private void onCommitted(CheckpointJob job, List<DeadLetter> rejected, long written) {
    metrics.written(written);
    metrics.sinkBatch(job.events().size());
    rejected.forEach(r -> metrics.failed("sink"));
    int deadLetters = job.deadLetters().size() + rejected.size();
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

  /** Graceful stop: finish the checkpoints already queued. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(statsTimer);
    idle = Promise.promise();
    writeNext();
    return idle.future().timeout(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(err -> Future.succeededFuture())
        .eventually(() -> pool.close());
  }
}
