package io.streampipeline.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * The whole configuration, read once at start-up (conf/ JSON, then environment, then --flags) and validated
 * by {@link ConfigLoader}. Durations are in milliseconds. A null address means "start the embedded one".
 */
public record PipelineConfig(
    String kafkaBootstrapServers,
    String clickstreamTopic,
    String aggregatedTopic,
    String dlqTopic,
    String consumerGroup,
    double producerEventsPerSecond,
    int producerNumUsers,
    int producerNumProducts,
    double producerErrorRate,
    long producerMaxEvents,
    Long producerSeed,
    int sinkBatchSize,
    long sinkFlushIntervalMs,
    long tumblingWindowMs,
    long revenueWindowMs,
    long sessionTimeoutMs,
    long allowedLatenessMs,
    long idleMs,
    IdleRule idleRule,
    String postgresHost,
    int postgresPort,
    String postgresDatabase,
    String postgresUser,
    Secret postgresPassword,
    int dashboardPort,
    int metricsPort,
    Set<Role> roles,
    int pipelineInstances,
    Path dataDir,
    int embeddedKafkaPort,
    int embeddedPostgresPort,
    long maxInFlightEvents,
    long benchEvents,
    OffsetOutOfRange offsetOutOfRange,
    long maxInFlightBytes,
    long sinkMaxDelayMs,
    ConnectionSettings connections,
    DashboardAccess dashboardAccess,
    SchemaRegistrySettings schemaRegistry,
    OpsConfig ops,
    InputLimits inputLimits,
    LiveFeed liveFeed,
    ReplayOptions replay) {

  /**
   * What a lane does with a stored position that lies outside the partition's log (the topic was deleted and
   * created again, or retention removed records that were never read): {@code RESET} continues from the log
   * start, with the partition's window state kept; {@code HALT} holds the partition back, unread, until an
   * operator acts.
   */
  public enum OffsetOutOfRange {
    RESET, HALT
  }

  /**
   * The TCP event-bus bridge: EVENTBUS_TCP_PORT (0 = off) on DASHBOARD_HOST, the dashboard's bind host.
   */
  public record LiveFeed(int tcpPort, String host) {
    public boolean enabled() {
      return tcpPort > 0;
    }
  }

  /** PRODUCER_MAX_EVENTS unset: the generator never stops by itself. */
  public static final long UNLIMITED = -1;

  public boolean has(Role role) {
    return roles.contains(role);
  }
}
