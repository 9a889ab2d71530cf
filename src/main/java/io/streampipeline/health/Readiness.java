package io.streampipeline.health;

import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.config.ProcessIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * /health/ready: may this process take its share of the work (a rollout waits for it)?
 * <ul>
 *   <li>every role: Kafka answers (its cluster description);</li>
 *   <li>pipeline: each lane of this process is a member of the consumer group and has restored every partition
 *       it is assigned (a lane with no partition, because the group has more lanes than partitions, is ready);</li>
 *   <li>PostgreSQL: reached at start-up (the schema check needs it). Afterwards its state is shown under
 *       {@code info} but not counted: the pipeline rides out a PostgreSQL outage (it retries and pauses reading),
 *       and taking every replica out of service for it would only stop a rollout that has nothing to fix.</li>
 * </ul>
 */
public final class Readiness {
  static final long TIMEOUT_MS = 3_000;
  private static final int MAX_REASON = 200;

  private final KafkaAdminClient admin;
  private final Pool pool;
  private final PipelineLanes lanes;

  /** The pipeline lanes of this process, or null when it runs none. */
  public record PipelineLanes(String group, String topic, int count, String clientIdPrefix, LaneProgress progress) {
  }

  public Readiness(KafkaAdminClient admin, Pool pool, PipelineLanes lanes) {
    this.admin = admin;
    this.pool = pool;
    this.lanes = lanes;
  }

  /** Follows the lanes' restore/revoke messages; call once, before the lanes are deployed. */
  public static void watchLanes(Vertx vertx, int laneCount, LaneProgress progress) {
    Map<String, Integer> laneByAddress = new HashMap<>();
    for (int lane = 0; lane < laneCount; lane++) {
      laneByAddress.put(Addresses.laneWindow(lane), lane);
    }
    vertx.eventBus().addOutboundInterceptor(ctx -> {
      Integer lane = laneByAddress.get(ctx.message().address());
      if (lane != null) {
        Object body = ctx.body();
        if (body instanceof LaneMessage.PartitionsRestored restored) {
          progress.restored(lane, restored.partitions().keySet());
        } else if (body instanceof LaneMessage.PartitionsRevoked revoked) {
          progress.revoked(lane, revoked.partitions());
        }
      }
      ctx.next();
    });
  }

  public Future<ProbeReport> check() {
    Map<String, Future<String>> counted = new LinkedHashMap<>();
    counted.put("kafka", outcome(admin.describeCluster().map(cluster -> {
      if (cluster.getNodes() == null || cluster.getNodes().isEmpty()) {
        throw new IllegalStateException("no broker in the cluster");
      }
      return "UP";
    })));
    if (lanes != null) {
      counted.put("lanes", outcome(admin.describeConsumerGroups(List.of(lanes.group()))
          .map(groups -> {
            ConsumerGroupDescription group = groups.get(lanes.group());
            return lanes.progress().verdict(lanes.count(), groupState(group), assignedByLane(group));
          })));
    }
    Future<String> postgres = outcome(pool.query("SELECT 1").execute().map("UP"));
    return Future.join(List.of(postgres, Future.join(List.copyOf(counted.values()))))
        .transform(ignored -> {
          Map<String, String> checks = new LinkedHashMap<>();
          counted.forEach((name, f) -> checks.put(name, f.result()));
          Map<String, String> info = new LinkedHashMap<>();
          info.put("postgres", postgres.result().startsWith("UP") ? "UP"
              : postgres.result() + " (not counted: the pipeline waits for PostgreSQL and catches up)");
          return Future.succeededFuture(new ProbeReport(checks, info));
        });
  }

  /** "Stable", "PreparingRebalance", ... as Kafka's coordinator names the states; "Unknown" without one. */
  private static String groupState(ConsumerGroupDescription group) {
    return group == null || group.getState() == null ? "Unknown" : group.getState().toString();
  }

  private Map<Integer, Set<Integer>> assignedByLane(ConsumerGroupDescription group) {
    Map<Integer, Set<Integer>> assigned = new HashMap<>();
    if (group == null || group.getMembers() == null) {
      return assigned;
    }
    for (MemberDescription member : group.getMembers()) {
      String clientId = member.getClientId();
      Integer lane = clientId == null ? null : laneOf(clientId, lanes.clientIdPrefix(), ProcessIdentity.id());
      if (lane == null) {
        continue;
      }
      Set<TopicPartition> partitions = member.getAssignment() == null ? Set.of()
          : member.getAssignment().getTopicPartitions();
      assigned.put(lane, partitions.stream().filter(tp -> lanes.topic().equals(tp.getTopic()))
          .map(TopicPartition::getPartition).collect(Collectors.toSet()));
    }
    return assigned;
  }

  /**
   * The lane of one of this process's consumers, or null for another process's: lane client ids are
   * {@code <prefix><lane>-<instance>}, and replicas share the prefix and the lane numbers.
   */
  static Integer laneOf(String clientId, String prefix, String instance) {
    String suffix = "-" + instance;
    if (!clientId.startsWith(prefix) || !clientId.endsWith(suffix)
        || clientId.length() <= prefix.length() + suffix.length()) {
      return null;
    }
    try {
      return Integer.parseInt(clientId.substring(prefix.length(), clientId.length() - suffix.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Future<String> outcome(Future<String> probe) {
    return probe.timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture("DOWN: " + reason(e)));
  }

  static String reason(Throwable e) {
    if (e instanceof TimeoutException) {
      return "no answer within " + TIMEOUT_MS + " ms";
    }
    String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
        : e.getMessage().lines().findFirst().orElse("").strip();
    return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON - 1) + "…";
  }
}
