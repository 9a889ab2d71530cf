package io.streampipeline.outbox;

import io.streampipeline.infra.Endpoints;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * Reads what the outbox has not sent yet ({@link OutboxBacklog}) every {@link #INTERVAL_MS}. Rows committed in
 * PostgreSQL but never sent (a broker refusing the producer's credentials, a topic deleted, a publisher stuck) are
 * otherwise seen only by a consumer that misses them; the oldest row's age is what the StreamPipelineOutboxStuck
 * alert watches.
 *
 * <p>The figures are the database's, not this process's: every pipeline process reports the same ones (read them
 * with max). They are read on a connection of their own, so they never delay the publisher's rounds.
 */
public final class OutboxBacklogVerticle extends VerticleBase {
  static final long INTERVAL_MS = 10_000;
  /** The first reading comes soon after start, so the gauges are not NaN for a whole interval. */
  private static final long FIRST_MS = 1_000;

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private Pool pool;
  private long timer = -1;

  public OutboxBacklogVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("outbox-backlog"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    OutboxBacklog backlog = new OutboxBacklog(new PgOutboxStore(pool), metrics, config.kafka().aggregatedTopic(),
        config.kafka().dlqTopic());
    timer = vertx.setPeriodic(FIRST_MS, INTERVAL_MS, id -> backlog.read());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return pool.close();
  }
}
