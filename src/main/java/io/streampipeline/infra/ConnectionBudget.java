package io.streampipeline.infra;

import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.Role;

/**
 * How many PostgreSQL connections one process opens, and whether the server has room for them. The numbers are
 * the pools' sizes: each lane's sink pool (POSTGRES_POOL_SIZE) and ingest connection, the outbox publisher and
 * its backlog gauge, retention and index upkeep, the dashboard, and the health checks' pool that every role has
 * (MetricsVerticle: readiness shows PostgreSQL's state). A server that runs out of connections refuses new ones at random moments later; checking at
 * start-up turns that into one clear line.
 */
public final class ConnectionBudget {
  /** The ingest verticle's connection (restores checkpoints) per lane. */
  static final int INGEST_PER_LANE = 1;
  /** The outbox publisher, and the reading of what waits in the outbox (OutboxBacklogVerticle). */
  static final int OUTBOX = 2;
  /** RetentionVerticle: deletes old rows, summarizes the events table's time index. */
  static final int MAINTENANCE = 1;
  static final int DASHBOARD = 2;
  /** MetricsVerticle's pool for /health/ready, in every role. */
  static final int HEALTH = 1;

  private ConnectionBudget() {
  }

  /** The most connections the process's pools can hold open at once. */
  public static int needed(PipelineConfig config) {
    int needed = HEALTH;
    if (config.has(Role.PIPELINE)) {
      needed += config.lanes().instances() * (config.connections().postgresPoolSize() + INGEST_PER_LANE) + OUTBOX
          + MAINTENANCE;
    }
    if (config.has(Role.DASHBOARD)) {
      needed += DASHBOARD;
    }
    return needed;
  }

  /**
   * Null when {@code needed} connections fit; otherwise the line to stop with. {@code inUse} counts the other
   * clients' connections now (other replicas included), not the one asking.
   */
  public static String check(PipelineConfig config, int needed, int maxConnections, int reserved, int inUse,
      String server) {
    int free = maxConnections - reserved - inUse;
    if (needed <= free) {
      return null;
    }
    return "PostgreSQL at " + server + " has room for " + Math.max(0, free) + " more connections (max_connections="
        + maxConnections + ", " + reserved + " reserved for superusers, " + inUse + " in use) but this process "
        + "needs " + needed + " (PIPELINE_INSTANCES=" + config.lanes().instances() + " x (POSTGRES_POOL_SIZE="
        + config.connections().postgresPoolSize() + " + " + INGEST_PER_LANE
        + ") + outbox, retention, dashboard and health check): lower POSTGRES_POOL_SIZE or PIPELINE_INSTANCES, or raise "
        + "max_connections on the server";
  }
}
