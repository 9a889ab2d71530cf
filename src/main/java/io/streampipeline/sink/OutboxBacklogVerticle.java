package io.streampipeline.sink;

import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what the outbox has not sent yet: windows queued in aggregated_outbox and dead letters not published,
 * as {@code stream_pipeline_outbox_pending{topic}} and {@code stream_pipeline_outbox_oldest_seconds{topic}}.
 * Rows committed in PostgreSQL but never sent (a broker refusing the producer's credentials, a topic deleted, a
 * publisher stuck) are otherwise seen only by a consumer that misses them; the oldest row's age is what the
 * StreamPipelineOutboxStuck alert watches.
 *
 * <p>The figures are the database's, not this process's: every pipeline process reports the same ones (read them
 * with max). They are read every {@link #INTERVAL_MS} on a connection of their own, so they never delay the
 * publisher's rounds, and cost little however long the queue: the oldest is the queue's head, found through its
 * primary key, and the count stops at {@link #COUNT_CAP} (beyond that the age tells more than the number).
 */
public final class OutboxBacklogVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxBacklogVerticle.class);
  static final long INTERVAL_MS = 10_000;
  /** The first reading comes soon after start, so the gauges are not NaN for a whole interval. */
  private static final long FIRST_MS = 1_000;
  /** The most entries counted; a longer queue is reported as this many. */
  static final int COUNT_CAP = 100_000;
  /**
   * One row: how many windows are queued and how long the head of the queue has waited, in seconds (queued_at,
   * V9, is the time an entry got its place, so the head is the oldest); the same for unpublished dead letters
   * through the partial index idx_dlq_unpublished. 0 seconds when nothing waits.
   */
  static final String BACKLOG = "SELECT "
      + "(SELECT count(*) FROM (SELECT 1 FROM aggregated_outbox LIMIT " + COUNT_CAP + ") q) AS windows_pending, "
      + "COALESCE((SELECT extract(epoch FROM now() - queued_at) FROM aggregated_outbox ORDER BY seq LIMIT 1), 0)"
      + "::float8 AS windows_oldest, "
      + "(SELECT count(*) FROM (SELECT 1 FROM dead_letter_events WHERE NOT published LIMIT " + COUNT_CAP + ") q) "
      + "AS dead_letters_pending, "
      + "COALESCE((SELECT extract(epoch FROM now() - created_at) FROM dead_letter_events WHERE NOT published "
      + "ORDER BY id LIMIT 1), 0)::float8 AS dead_letters_oldest";

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private Pool pool;
  private long timer = -1;
  private boolean failing;

  public OutboxBacklogVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("outbox-backlog"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    timer = vertx.setPeriodic(FIRST_MS, INTERVAL_MS, id -> read());
    return Future.succeededFuture();
  }

  private void read() {
    pool.query(BACKLOG).execute().onComplete((rows, err) -> {
      if (err != null) {
        // Unknown rather than stale: an outage of PostgreSQL has alerts of its own.
        metrics.outboxBacklog(config.kafka().aggregatedTopic(), Double.NaN, Double.NaN);
        metrics.outboxBacklog(config.kafka().dlqTopic(), Double.NaN, Double.NaN);
        if (!failing) {
          failing = true;
          log.warn("outbox backlog: cannot read it ({}); its gauges show NaN until PostgreSQL answers",
              err.toString());
        }
        return;
      }
      failing = false;
      Row row = rows.iterator().next();
      metrics.outboxBacklog(config.kafka().aggregatedTopic(), row.getLong("windows_pending"),
          row.getDouble("windows_oldest"));
      metrics.outboxBacklog(config.kafka().dlqTopic(), row.getLong("dead_letters_pending"),
          row.getDouble("dead_letters_oldest"));
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return pool.close();
  }
}
