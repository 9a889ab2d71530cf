package io.streampipeline.sink;

import io.streampipeline.config.OpsConfig;
import io.streampipeline.infra.Endpoints;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old rows on a schedule: events older than RETENTION_DAYS_EVENTS, dead letters older than
 * RETENTION_DAYS_DLQ and closed-window rows older than RETENTION_DAYS_WINDOWS (0 keeps them). Only dead letters and
 * windows already published to Kafka go: an unpublished dead letter, or a window still queued in aggregated_outbox,
 * is the outbox and is never deleted, however old. Old windows are found through the BRIN index on created_at.
 * An event goes when both its event time and the time it was stored are that old: the BRIN index on event time
 * finds the candidates, and the stored time keeps a replay of last year's data (or a device whose clock is years
 * behind) from being deleted the moment it lands. Deletes run a batch of rows per statement on a connection of its
 * own, with a pause between statements, so no lock is held for long and the sink's transactions (which only
 * insert and upsert) are never waited on for more than one batch.
 *
 * <p>The same connection keeps the BRIN indexes on event time and on windows' created_at summarized. A block
 * range that is not summarized yet matches every time query, so without this the dashboard's open minute would read
 * all rows written since the last VACUUM; PostgreSQL's own {@code autosummarize} queues at most 256 ranges per
 * autovacuum round and drops the rest at high insert rates. Once a minute {@code brin_summarize_new_values}
 * summarizes what is new (it reads only those pages). It gives way rather than wait for a lock, so it never
 * cancels an autovacuum of the table; a role that does not own the table (POSTGRES_MIGRATE=false setups) leaves it
 * to VACUUM, said once in the log.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);
  static final int BATCH = 1000;
  /** Between two batches: lets the sink and the outbox publisher have the disk and the locks. */
  private static final long PAUSE_MS = 50;
  /** The first pass runs shortly after start, not one whole interval later. */
  private static final long FIRST_RUN_MS = 5_000;
  static final long SUMMARIZE_INTERVAL_MS = 60_000;
  static final String SUMMARIZE = "SELECT brin_summarize_new_values('idx_events_time_brin'::regclass) "
      + "+ brin_summarize_new_values('idx_aggregated_created_brin'::regclass)";

  /**
   * One table's rule: which rows are old ({@code $1} is the number of days), deleted {@code batch} at a time. The
   * row version is found by ctid and deleted only if it still matches.
   */
  record Rule(String table, int days, String old, int batch) {
    static Rule events(int days) {
      // Larger batches: the rows of a day of events are many, and each batch's scan passes the rows the previous
      // batches deleted (dead until VACUUM) again.
      return new Rule("clickstream_events", days, "event_timestamp_ms < "
          + "(extract(epoch FROM now() - make_interval(days => $1)) * 1000)::BIGINT "
          + "AND ingested_at < now() - make_interval(days => $1)", 10 * BATCH);
    }

    static Rule published(String table, int days) {
      return new Rule(table, days, "published AND created_at < now() - make_interval(days => $1)", BATCH);
    }

    /** Windows: old, and no longer queued in the outbox. */
    static Rule windows(int days) {
      return new Rule("aggregated_metrics", days, "created_at < now() - make_interval(days => $1) AND NOT EXISTS "
          + "(SELECT 1 FROM aggregated_outbox o WHERE o.window_id = aggregated_metrics.window_id)", BATCH);
    }

    String deleteBatch() {
      return "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + old
          + " LIMIT " + batch + ")) AND " + old;
    }
  }

  private final Endpoints endpoints;
  private final List<Rule> rules = new ArrayList<>();
  private final long intervalMs;
  private Pool pool;
  private long timer = -1;
  private long summarizeTimer = -1;
  private boolean running;
  private boolean stopped;

  public RetentionVerticle(OpsConfig ops, Endpoints endpoints) {
    this.endpoints = endpoints;
    this.intervalMs = ops.retentionIntervalMs();
    if (ops.retentionDaysEvents() > 0) {
      rules.add(Rule.events(ops.retentionDaysEvents()));
    }
    if (ops.retentionDaysDlq() > 0) {
      rules.add(Rule.published("dead_letter_events", ops.retentionDaysDlq()));
    }
    if (ops.retentionDaysWindows() > 0) {
      rules.add(Rule.windows(ops.retentionDaysWindows()));
    }
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("retention"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    summarizeTimer = vertx.setPeriodic(Math.min(FIRST_RUN_MS, SUMMARIZE_INTERVAL_MS), SUMMARIZE_INTERVAL_MS,
        id -> summarizeTimeIndex());
    if (rules.isEmpty()) {
      log.info("retention: off (RETENTION_DAYS_EVENTS, RETENTION_DAYS_DLQ and RETENTION_DAYS_WINDOWS are 0)");
      return Future.succeededFuture();
    }
    timer = vertx.setTimer(Math.min(FIRST_RUN_MS, intervalMs), id -> runAll());
    log.info("retention: {} every {} s", rules.stream().map(r -> r.table() + " older than " + r.days() + " days")
        .toList(), intervalMs / 1000.0);
    return Future.succeededFuture();
  }

  private void summarizeTimeIndex() {
    if (stopped) {
      return;
    }
    pool.withTransaction(conn -> conn.query("SET LOCAL lock_timeout = 200").execute()
            .compose(v -> conn.query(SUMMARIZE).execute()))
        .onSuccess(rows -> log.debug("summarized {} new ranges of idx_events_time_brin and "
            + "idx_aggregated_created_brin", rows.iterator().next().getValue(0)))
        .onFailure(err -> {
          String state = err instanceof PgException pg ? pg.getSqlState() : null;
          if ("42501".equals(state)) {
            vertx.cancelTimer(summarizeTimer);
            log.info("the BRIN time indexes are summarized by VACUUM only: this role does not own it ({})",
                err.getMessage());
          } else if (!"55P03".equals(state) && !stopped) {
            log.warn("summarizing the BRIN time indexes failed ({}); next try in {} s", err.toString(),
                SUMMARIZE_INTERVAL_MS / 1000);
          }
        });
  }

  private void runAll() {
    if (stopped || running) {
      return;
    }
    running = true;
    Future<Void> chain = Future.succeededFuture();
    for (Rule rule : rules) {
      chain = chain.compose(v -> prune(rule, 0));
    }
    chain.onComplete((v, err) -> {
      running = false;
      if (err != null && !stopped) {
        log.warn("retention: pruning failed ({}); next try in {} s", err.toString(), intervalMs / 1000.0);
      }
      if (!stopped) {
        timer = vertx.setTimer(intervalMs, id -> runAll());
      }
    });
  }

  private Future<Void> prune(Rule rule, long deletedSoFar) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(rule.deleteBatch()).execute(Tuple.of(rule.days())).compose(result -> {
      long total = deletedSoFar + result.rowCount();
      if (result.rowCount() < rule.batch()) {
        if (total > 0) {
          log.info("retention: deleted {} rows older than {} days from {}", total, rule.days(), rule.table());
        }
        return Future.succeededFuture();
      }
      return vertx.timer(PAUSE_MS).compose(v -> prune(rule, total));
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(summarizeTimer);
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
