package io.streampipeline.infra;

import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PipelineConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the pipeline's topics (docs/design.md#topics-and-keys) exist before anything reads or writes them.
 * With KAFKA_CREATE_TOPICS (the default) missing ones are created: 6, 3 and 1 partitions, replication factor KAFKA_TOPIC_REPLICATION_FACTOR
 * (default min(3, brokers), so {@code acks=all} works on a cluster) and min.insync.replicas
 * KAFKA_TOPIC_MIN_INSYNC_REPLICAS when set. Existing topics are left as they are. This is the first call to Kafka
 * at start-up, so a broker that refuses the credentials or does not answer ends start-up here with one line that
 * says what to check. Blocking.
 */
public final class Topics {
  /** How long one admin request, and waiting for the partition leaders, may take. */
  private static final long ADMIN_TIMEOUT_SECONDS = 60;
  private static final long LEADER_RETRY_MS = 100;
  public static final int EVENT_PARTITIONS = 6;
  public static final int AGGREGATED_PARTITIONS = 3;
  public static final int DLQ_PARTITIONS = 1;
  /** How long the first calls may take before start-up gives up (a cluster under load answers in seconds). */
  static final int TIMEOUT_SECONDS = 30;

  private static final Logger log = LoggerFactory.getLogger(Topics.class);

  private Topics() {
  }

  /** How to create topics that are missing. */
  public record Creation(boolean create, Integer replicationFactor, Integer minInsyncReplicas) {
    public static final Creation DEFAULT = new Creation(true, null, null);
  }

  /** The pipeline's three topics at {@code bootstrapServers}, with the configuration's extra client settings. */
  public static void ensure(String bootstrapServers, PipelineConfig config) {
    ensure(bootstrapServers, config.connections().kafkaProperties(), config);
  }

  public static void ensure(String bootstrapServers, KafkaClientProperties properties, PipelineConfig config) {
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put(config.kafka().clickstreamTopic(), EVENT_PARTITIONS);
    topics.put(config.kafka().aggregatedTopic(), AGGREGATED_PARTITIONS);
    topics.put(config.kafka().dlqTopic(), DLQ_PARTITIONS);
    var c = config.connections();
    Map<String, Integer> actual = ensure(bootstrapServers, properties, topics,
        new Creation(c.createTopics(), c.topicReplicationFactor(), c.topicMinInsyncReplicas()));
    int events = actual.get(config.kafka().clickstreamTopic());
    if (events != EVENT_PARTITIONS) {
      // Windows and sessions are kept per partition and global unique users are summed over partitions: any
      // fixed count is right as long as each user's events stay in one partition, which adding partitions to a
      // topic in use breaks (the key's partition changes).
      log.warn("Kafka topic {} has {} partitions, not the {} it is created with: fine if it has had {} since its "
              + "first event and is keyed by user_id; partitions added later split users and sessions across "
              + "partitions (see stream_pipeline_input_key_mismatch_total)", config.kafka().clickstreamTopic(), events,
          EVENT_PARTITIONS, events);
    }
  }

  public static void ensure(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
    ensure(bootstrapServers, KafkaClientProperties.none(), partitionsByTopic, Creation.DEFAULT);
  }

  /** Returns each topic's partition count as found (or created). */
  public static Map<String, Integer> ensure(String bootstrapServers, KafkaClientProperties properties,
      Map<String, Integer> partitionsByTopic, Creation creation) {
    Map<String, String> props = KafkaClients.admin(bootstrapServers, properties, "stream-pipeline-topics");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_SECONDS * 1000));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_SECONDS * 1000 / 2));
    try (Admin admin = Admin.create(new HashMap<>(props))) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
      List<String> missing = partitionsByTopic.keySet().stream().filter(t -> !existing.contains(t)).toList();
      if (!missing.isEmpty()) {
        if (!creation.create()) {
          throw new StartupException("Kafka topic" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
              + " missing at " + bootstrapServers + " and KAFKA_CREATE_TOPICS=false: create "
              + (missing.size() > 1 ? "them" : "it") + " (partitions: " + describe(missing, partitionsByTopic)
              + ") or set KAFKA_CREATE_TOPICS=true");
        }
        create(admin, bootstrapServers, missing, partitionsByTopic, creation);
      }
      Map<String, Integer> partitions = awaitLeaders(admin, partitionsByTopic.keySet());
      return partitions;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka topics", e);
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
      throw failure(bootstrapServers, e);
    }
  }

  private static void create(Admin admin, String bootstrapServers, List<String> missing,
      Map<String, Integer> partitionsByTopic, Creation creation)
      throws InterruptedException, ExecutionException, TimeoutException {
    int brokers = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
    int replication = creation.replicationFactor() != null ? creation.replicationFactor() : Math.min(3, brokers);
    if (replication > brokers) {
      throw new StartupException("Invalid configuration: KAFKA_TOPIC_REPLICATION_FACTOR=" + replication
          + " but the cluster at " + bootstrapServers + " has " + brokers + " broker" + (brokers == 1 ? "" : "s"));
    }
    Map<String, String> topicConfig = new HashMap<>();
    if (creation.minInsyncReplicas() != null) {
      topicConfig.put("min.insync.replicas", String.valueOf(creation.minInsyncReplicas()));
    }
    List<NewTopic> topics = missing.stream()
        .map(t -> new NewTopic(t, partitionsByTopic.get(t), (short) replication).configs(topicConfig)).toList();
    try {
      admin.createTopics(topics).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      log.info("created Kafka topics {} (replication factor {}{})", missing, replication,
          creation.minInsyncReplicas() == null ? "" : ", min.insync.replicas " + creation.minInsyncReplicas());
    } catch (ExecutionException e) {
      // Another process may have created them in between: that is fine.
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static String describe(List<String> topics, Map<String, Integer> partitionsByTopic) {
    return String.join(", ", topics.stream().map(t -> t + " " + partitionsByTopic.get(t)).toList());
  }

  /**
   * A producer that writes to a partition whose leader the broker does not know yet gets retriable errors
   * that can upset idempotent sequence numbers; waiting here keeps the first writes clean.
   */
  private static Map<String, Integer> awaitLeaders(Admin admin, Set<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
    while (true) {
      try {
        // ListOffsets is answered by the partition leader's log, so success means the partitions are writable.
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        described.forEach((name, d) -> {
          counts.put(name, d.partitions().size());
          d.partitions().forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
        });
        admin.listOffsets(partitions).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return counts;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(LEADER_RETRY_MS);
      }
    }
  }

  /** One line naming what to check; the client's own message never holds the password. */
  static StartupException failure(String bootstrapServers, Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof StartupException s) {
      return s;
    }
    String why = firstLine(cause);
    String message;
    if (cause instanceof SslAuthenticationException) {
      message = "the TLS handshake with Kafka at " + bootstrapServers + " failed (" + why + "): check that "
          + "ssl.truststore.* in KAFKA_PROPERTY_* / KAFKA_PROPERTIES_FILE trusts the CA of the brokers' certificates";
    } else if (cause instanceof AuthenticationException) {
      message = "Kafka at " + bootstrapServers + " refused the client's credentials (" + why + "): check the user "
          + "and password in sasl.jaas.config and sasl.mechanism (KAFKA_PROPERTY_SASL_JAAS_CONFIG, "
          + "KAFKA_PROPERTY_SASL_MECHANISM or KAFKA_PROPERTIES_FILE)";
    } else if (cause instanceof AuthorizationException) {
      message = "Kafka at " + bootstrapServers + " does not allow the pipeline's user to describe or create its "
          + "topics (" + why + "): grant the ACLs listed in docs/operations.md, or create the topics and set "
          + "KAFKA_CREATE_TOPICS=false";
    } else if (cause instanceof InvalidReplicationFactorException || cause instanceof PolicyViolationException) {
      message = "Kafka at " + bootstrapServers + " refused to create the topics (" + why + "): check "
          + "KAFKA_TOPIC_REPLICATION_FACTOR and KAFKA_TOPIC_MIN_INSYNC_REPLICAS";
    } else if (cause instanceof TimeoutException
        || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      message = "Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT_SECONDS + " s: check "
          + "KAFKA_BOOTSTRAP_SERVERS, that the brokers are up and reachable from here, and that security.protocol "
          + "(KAFKA_PROPERTY_SECURITY_PROTOCOL) matches the listener: a client speaking PLAINTEXT to a TLS or SASL "
          + "listener, or TLS to a plain one, gets no answer, only this time-out";
    } else {
      message = "cannot check or create the Kafka topics at " + bootstrapServers + ": " + why;
    }
    return new StartupException(message, cause);
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("").strip();
  }
}
