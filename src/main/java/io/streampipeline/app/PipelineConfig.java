package io.streampipeline.app;

import io.streampipeline.replay.ReplayOptions;
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
    String postgresHost,
    int postgresPort,
    String postgresDatabase,
    String postgresUser,
    String postgresPassword,
    int dashboardPort,
    int metricsPort,
    Set<Role> roles,
    int pipelineInstances,
    Path dataDir,
    int embeddedKafkaPort,
    int embeddedPostgresPort,
    long maxInFlightEvents,
    long benchEvents,
    LiveFeed liveFeed,
    ReplayOptions replay) {

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
