package io.streampipeline.config;

import java.util.Set;

/**
 * The whole configuration, read once at start-up (conf/ JSON, then environment, then --flags) and validated by
 * {@link ConfigLoader}: one section a concern, each built by its own reader from the key table
 * ({@link ConfigKey}). Durations are in milliseconds. A null address means "start the embedded one".
 *
 * @param metricsPort METRICS_PORT: Prometheus /metrics and the health probes, in every role
 * @param benchEvents EVENTS: what the bench replays
 * @param replay the replay's filters; null unless the role is replay-dlq
 */
public record PipelineConfig(
    Set<Role> roles,
    KafkaSettings kafka,
    PostgresSettings postgres,
    ConnectionSettings connections,
    LaneSettings lanes,
    WindowTiming windows,
    SinkSettings sink,
    GeneratorSettings generator,
    DashboardSettings dashboard,
    int metricsPort,
    SchemaRegistrySettings schemaRegistry,
    EmbeddedServers embedded,
    OpsConfig ops,
    long benchEvents,
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

  public boolean has(Role role) {
    return roles.contains(role);
  }
}
