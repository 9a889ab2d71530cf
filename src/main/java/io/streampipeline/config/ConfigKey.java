package io.streampipeline.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every configuration key, with its default, its kind of value, the roles that read it and what it means: the
 * one table the readers read through ({@link ConfigSource}), unknown keys are told by ({@link #isKnown}) and
 * docs/configuration.md is generated from ({@link ConfigDocs}). A null default means "unset", with
 * {@code unsetMeans} saying what that does. Replay filters are flags only ({@code --reason}, not REASON in the
 * environment), so that an environment variable cannot change what a replay sends.
 */
public enum ConfigKey {
  CONFIG_FILE(Kind.FILE, "conf/config.json", null, Readers.ALL,
      "JSON file of keys, below the environment and the flags (`--config=` too); an explicitly named file must exist"),
  ROLES(Kind.LIST, "generator,pipeline,dashboard", null, Readers.ALL,
      "what this process runs (`--roles=`): generator, pipeline, dashboard; also `bench`, and `replay-dlq` (alone)"),

  KAFKA_BOOTSTRAP_SERVERS(Kind.TEXT, null, "embedded broker", Readers.ALL, "Kafka to use"),
  KAFKA_CLICKSTREAM_TOPIC(Kind.TEXT, "clickstream.events", null, Readers.ALL,
      "input topic (created with 6 partitions if missing)"),
  KAFKA_AGGREGATED_TOPIC(Kind.TEXT, "clickstream.aggregated", null, Readers.PIPELINE_DASHBOARD,
      "closed windows (3 partitions)"),
  KAFKA_DLQ_TOPIC(Kind.TEXT, "clickstream.dlq", null, Readers.PIPELINE, "dead letters (1 partition)"),
  KAFKA_CONSUMER_GROUP(Kind.TEXT, "stream-pipeline-consumers", null, Readers.PIPELINE_DASHBOARD,
      "consumer group of the pipeline lanes"),
  KAFKA_PROPERTIES_FILE(Kind.FILE, null, "none", Readers.ALL,
      "a Java properties file of Kafka client settings for every consumer, producer and admin client (security, "
          + "SASL, TLS, tuning); `KAFKA_PROPERTY_<NAME>` settings go over it"),
  KAFKA_TOPIC_REPLICATION_FACTOR(Kind.WHOLE, null, "min(3, brokers)", Readers.SERVICES,
      "replication factor of topics the pipeline creates"),
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS(Kind.WHOLE, null, "broker's default", Readers.SERVICES,
      "`min.insync.replicas` of topics the pipeline creates (at most the replication factor)"),
  KAFKA_CREATE_TOPICS(Kind.BOOLEAN, "true", null, Readers.SERVICES,
      "`false`: the topics must exist (a missing one stops start-up)"),

  PRODUCER_EVENTS_PER_SECOND(Kind.NUMBER, "100", null, Readers.GENERATOR, "generator rate"),
  PRODUCER_NUM_USERS(Kind.WHOLE, "1000", null, Readers.GENERATOR, "generated users"),
  PRODUCER_NUM_PRODUCTS(Kind.WHOLE, "500", null, Readers.GENERATOR, "catalogue size"),
  PRODUCER_ERROR_RATE(Kind.NUMBER, "0.02", null, Readers.GENERATOR,
      "share of bad messages (invalid and undecodable), 0 to 1"),
  PRODUCER_MAX_EVENTS(Kind.WHOLE, null, "unlimited", Readers.GENERATOR, "the generator stops after that many"),
  PRODUCER_SEED(Kind.WHOLE, null, "random (logged)", Readers.GENERATOR, "a fixed seed gives the same events"),
  PRODUCER_WIRE_FORMAT(Kind.CHOICE, "single-object", null, Readers.GENERATOR,
      "`registry`: the generator registers ClickstreamEvent v1 under `<events topic>-value` and frames its events "
          + "with that id (needs `SCHEMA_REGISTRY_URL`)"),

  SINK_BATCH_SIZE(Kind.WHOLE, "500", null, Readers.PIPELINE,
      "events that trigger a checkpoint, shared by the process's lanes (each checkpoints after its share; under "
          + "load checkpoints grow, at most two in flight per lane)"),
  SINK_FLUSH_INTERVAL_SECONDS(Kind.SECONDS, "5", null, Readers.PIPELINE, "checkpoint at least this often"),
  SINK_MAX_DELAY_MS(Kind.WHOLE, "100", null, Readers.PIPELINE,
      "an event waits at most this many milliseconds for its checkpoint to be started (low rates get low latency, "
          + "high rates keep their batch size); 0 turns it off"),

  WINDOW_TUMBLING_WINDOW_SECONDS(Kind.SECONDS, "60", null, Readers.PIPELINE, "events_per_minute window size"),
  WINDOW_REVENUE_WINDOW_SECONDS(Kind.SECONDS, "300", null, Readers.PIPELINE, "revenue_per_5min window size"),
  WINDOW_SESSION_TIMEOUT_SECONDS(Kind.SECONDS, "1800", null, Readers.PIPELINE, "session gap"),
  WINDOW_ALLOWED_LATENESS_SECONDS(Kind.SECONDS, "10", null, Readers.PIPELINE,
      "watermark = highest event time − this"),
  WINDOW_IDLE_SECONDS(Kind.SECONDS, "10", null, Readers.PIPELINE,
      "quiet, caught-up partitions let event time follow the wall clock after this"),
  WINDOW_IDLE_RULE(Kind.CHOICE, "event-time", null, Readers.PIPELINE,
      "how far: from the partition's own highest timestamp (`event-time`), or straight to the clock (`wall-clock`: "
          + "only for a replay whose records are all in Kafka before the start): "
          + "[trade-off](design.md#quiet-partitions)"),
  WINDOW_MAX_FUTURE_SECONDS(Kind.SECONDS, "300", null, Readers.PIPELINE,
      "how far an event's timestamp may be ahead of its Kafka record's timestamp (≥ 0); further goes to the DLQ"),

  PIPELINE_INSTANCES(Kind.WHOLE, "1", null, Readers.PIPELINE, "lanes (Kafka consumers) in this process, 1 to 64"),
  PIPELINE_MAX_IN_FLIGHT_EVENTS(Kind.WHOLE, "50000", null, Readers.PIPELINE,
      "uncommitted events per lane before its consumer pauses"),
  PIPELINE_MAX_IN_FLIGHT_BYTES(Kind.WHOLE, "67108864", null, Readers.PIPELINE,
      "uncommitted message bytes per lane before its consumer pauses (at least 1 MiB)"),
  PIPELINE_OFFSET_OUT_OF_RANGE(Kind.CHOICE, "reset", null, Readers.PIPELINE,
      "a stored position outside the log (offset outside its bounds, another topic ID, a truncated log): `reset` "
          + "(read on from the log start, or from where a truncated log diverged) or `halt` (hold the partition back)"),
  PIPELINE_MAX_MESSAGE_BYTES(Kind.WHOLE, "65536", null, Readers.PIPELINE,
      "a longer Kafka message goes to the DLQ undecoded"),

  POSTGRES_HOST(Kind.TEXT, null, "embedded database", Readers.ALL, "PostgreSQL to use"),
  POSTGRES_PORT(Kind.PORT, "5432", null, Readers.ALL, "PostgreSQL's port"),
  POSTGRES_DATABASE(Kind.TEXT, "pipeline", null, Readers.ALL, "database name"),
  POSTGRES_USER(Kind.TEXT, "pipeline", null, Readers.ALL, "user name"),
  POSTGRES_PASSWORD(Kind.SECRET, "pipeline", null, Readers.ALL,
      "password (e.g. `POSTGRES_PASSWORD_FILE=/run/secrets/pg`); never logged"),
  POSTGRES_SSL_MODE(Kind.CHOICE, null, "`prefer` (external), `disable` (embedded)", Readers.ALL,
      "`disable`, `prefer` (TLS if the server offers it, certificate not checked), `require` (TLS, certificate "
          + "checked only if `POSTGRES_SSL_ROOT_CERT` is set), `verify-ca`, `verify-full` (also checks that the "
          + "certificate names `POSTGRES_HOST`)"),
  POSTGRES_SSL_ROOT_CERT(Kind.FILE, null, "none", Readers.ALL,
      "PEM file of the CA that signed the server's certificate; required by `verify-ca` / `verify-full`"),
  POSTGRES_POOL_SIZE(Kind.WHOLE, "2", null, Readers.PIPELINE,
      "connections (parallel transactions) of each lane's sink, 1 to 100; start-up checks that lanes × (pool + 1) "
          + "+ 2 (outbox publisher, outbox backlog gauge) + 1 (retention) + 2 (dashboard) + 1 (health checks) fit "
          + "the server's free `max_connections`"),
  POSTGRES_MIGRATE(Kind.CHOICE, "true", null, Readers.ALL,
      "apply pending schema migrations at start; `false`: only check the version; `only`: apply them and exit"),

  DASHBOARD_PORT(Kind.PORT, "8000", null, Readers.DASHBOARD, "dashboard, `/api/*`, `/health`"),
  DASHBOARD_HOST(Kind.TEXT, "127.0.0.1", null, Readers.DASHBOARD,
      "the interface the dashboard and the live feed over TCP listen on; `0.0.0.0` to reach them from other "
          + "machines (the compose and Kubernetes files do)"),
  DASHBOARD_AUTH_TOKEN(Kind.SECRET, null, "open to whoever reaches it", Readers.DASHBOARD,
      "when set (at least 16 printable characters), `/`, `/api/*` and `/eventbus/*` need it: browsers get a "
          + "sign-in form, scripts send `Authorization: Bearer <token>`; `DASHBOARD_AUTH_TOKEN_FILE` reads it from "
          + "a file (an empty file is refused)"),
  DASHBOARD_ALLOWED_ORIGINS(Kind.LIST, null, "none", Readers.DASHBOARD,
      "comma-separated origins (`https://ops.example.com`) whose pages may also call the API and open the bridge"),
  DASHBOARD_TLS_CERT(Kind.FILE, null, "plain HTTP", Readers.DASHBOARD,
      "PEM certificate (chain): the dashboard speaks HTTPS only; needs `DASHBOARD_TLS_KEY`"),
  DASHBOARD_TLS_KEY(Kind.FILE, null, "plain HTTP", Readers.DASHBOARD,
      "PEM private key of `DASHBOARD_TLS_CERT`"),
  EVENTBUS_TCP_PORT(Kind.PORT, "7000", null, Readers.DASHBOARD,
      "live feed over TCP (with the dashboard role, on `DASHBOARD_HOST`); `0` turns it off"),
  METRICS_PORT(Kind.PORT, "9090", null, Readers.SERVICES, "Prometheus `/metrics` and the health probes"),

  SCHEMA_REGISTRY_URL(Kind.TEXT, null, "no registry", Readers.SERVICES,
      "base URL of a Confluent-compatible Schema Registry (`http://` or `https://`, no credentials in it)"),
  SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO(Kind.SECRET, null, "none", Readers.SERVICES,
      "`user:password` for basic auth (also `SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE`); never logged"),
  SCHEMA_REGISTRY_SSL_ROOT_CERT(Kind.FILE, null, "the JVM's trust store", Readers.SERVICES,
      "PEM file of the CA(s) that signed an https registry's certificate"),
  AGGREGATED_WIRE_FORMAT(Kind.CHOICE, "single-object", null, Readers.PIPELINE,
      "`registry`: closed windows framed with the id of AggregatedMetrics v2, registered under "
          + "`<aggregated topic>-value` (needs `SCHEMA_REGISTRY_URL`)"),

  DATA_DIR(Kind.TEXT, "./data", null, Readers.SERVICES,
      "embedded Kafka and PostgreSQL data (and `postgres.log`, the embedded server's own log)"),
  EMBEDDED_KAFKA_PORT(Kind.PORT, "9092", null, Readers.ALL, "port of the embedded Kafka"),
  EMBEDDED_POSTGRES_PORT(Kind.PORT, "5433", null, Readers.ALL, "port of the embedded PostgreSQL"),

  LOG_FORMAT(Kind.CHOICE, "text", null, Readers.ALL, "`json`: one JSON object per line"),
  RETENTION_DAYS_EVENTS(Kind.WHOLE, "0", null, Readers.PIPELINE,
      "events whose event time **and** stored time (`ingested_at`) are both older than this many days are "
          + "deleted; `0` keeps them"),
  RETENTION_DAYS_DLQ(Kind.WHOLE, "30", null, Readers.PIPELINE,
      "published dead letters older than this many days are deleted; `0` keeps them"),
  RETENTION_DAYS_WINDOWS(Kind.WHOLE, "0", null, Readers.PIPELINE,
      "published `aggregated_metrics` rows (no longer queued in `aggregated_outbox`) older than this many days are "
          + "deleted; `0` keeps them"),
  RETENTION_INTERVAL_SECONDS(Kind.SECONDS, "3600", null, Readers.PIPELINE, "how often retention runs"),

  EVENTS(Kind.WHOLE, "1000000", null, Readers.BENCH, "events the bench replays (`--events=`)"),

  REASON(Kind.TEXT, null, "any", Readers.REPLAY, "`--reason=TEXT`: `error_reason` contains TEXT (case-insensitive)"),
  SINCE(Kind.TIME, null, "any", Readers.REPLAY,
      "`--since=TIME`: failed at or after (ISO-8601: `2026-11-30T08:00:00Z`, `2026-11-30T09:00:00+01:00`, or "
          + "`2026-11-30`; no offset means UTC)"),
  UNTIL(Kind.TIME, null, "any", Readers.REPLAY, "`--until=TIME`: failed before (after `--since`)"),
  PARTITION(Kind.WHOLE, null, "all", Readers.REPLAY, "`--partition=N`: read from partition N of the input topic"),
  LIMIT(Kind.WHOLE, null, "no limit", Readers.REPLAY, "`--limit=N`: at most N dead letters, oldest first"),
  DRY_RUN(Kind.SWITCH, "false", null, Readers.REPLAY,
      "`--dry-run`: count what would be sent, by reason; send and mark nothing"),
  TO_TOPIC(Kind.TEXT, null, "`KAFKA_CLICKSTREAM_TOPIC`", Readers.REPLAY,
      "`--to-topic=NAME`: send there instead of the input topic"),
  AGAIN(Kind.SWITCH, "false", null, Readers.REPLAY, "`--again`: include dead letters replayed before");

  /** Any key's value may come from the file named by KEY_FILE (how container platforms hand over secrets). */
  public static final String FILE_SUFFIX = "_FILE";
  /** KAFKA_PROPERTY_SECURITY_PROTOCOL sets the Kafka client setting security.protocol. */
  public static final String KAFKA_PROPERTY_PREFIX = "KAFKA_PROPERTY_";
  /** {@code --config=FILE}: CONFIG_FILE on the command line. */
  public static final String CONFIG_FLAG = "CONFIG";

  /** What a key's value is, as the docs name it. */
  public enum Kind {
    TEXT("text"), WHOLE("whole number"), NUMBER("number"), SECONDS("seconds"), PORT("port"),
    BOOLEAN("true/false"), CHOICE("one of"), LIST("comma list"), FILE("file path"), SECRET("secret"),
    TIME("ISO-8601 time"), SWITCH("flag");

    public final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  private final Kind kind;
  private final String defaultValue;
  private final String unsetMeans;
  private final Set<Role> readBy;
  private final String description;

  ConfigKey(Kind kind, String defaultValue, String unsetMeans, Set<Role> readBy, String description) {
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.unsetMeans = unsetMeans;
    this.readBy = readBy;
    this.description = description;
  }

  public Kind kind() {
    return kind;
  }

  /** The value used when the key is unset; null when unset means something else ({@link #unsetMeans()}). */
  public String defaultValue() {
    return defaultValue;
  }

  /** What an unset key with no default does, in words; null when it has a default. */
  public String unsetMeans() {
    return unsetMeans;
  }

  public Set<Role> readBy() {
    return readBy;
  }

  public String description() {
    return description;
  }

  /** A replay filter: read from the command line only ({@code --reason}), never from the environment. */
  public boolean flagOnly() {
    return readBy.equals(Readers.REPLAY);
  }

  /** As written on the command line: {@code --dry-run}. */
  public String flagName() {
    return "--" + ConfigName.of(this);
  }

  /**
   * Whether a name in the environment, the file or the flags means something to the configuration: a key, a
   * key's {@code _FILE} form, a {@code KAFKA_PROPERTY_<NAME>} setting, or CONFIG ({@code --config}, the flag
   * form of CONFIG_FILE).
   */
  public static boolean isKnown(String name) {
    if (name.equals(CONFIG_FLAG)) {
      return true;
    }
    if (name.startsWith(KAFKA_PROPERTY_PREFIX) && name.length() > KAFKA_PROPERTY_PREFIX.length()) {
      return true;
    }
    String base = name.endsWith(FILE_SUFFIX) ? name.substring(0, name.length() - FILE_SUFFIX.length()) : name;
    return Arrays.stream(values()).anyMatch(key -> key.name().equals(name) || key.name().equals(base));
  }

  /** The roles that read a key, named once here so the table stays one line a key. */
  private static final class Readers {
    static final Set<Role> ALL = Collections.unmodifiableSet(EnumSet.allOf(Role.class));
    /** Every role but the one-shot replay-dlq. */
    static final Set<Role> SERVICES = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(Role.REPLAY_DLQ)));
    static final Set<Role> PIPELINE = Collections.unmodifiableSet(EnumSet.of(Role.PIPELINE, Role.BENCH));
    static final Set<Role> PIPELINE_DASHBOARD =
        Collections.unmodifiableSet(EnumSet.of(Role.PIPELINE, Role.DASHBOARD, Role.BENCH));
    static final Set<Role> GENERATOR = Collections.unmodifiableSet(EnumSet.of(Role.GENERATOR, Role.BENCH));
    static final Set<Role> DASHBOARD = Collections.unmodifiableSet(EnumSet.of(Role.DASHBOARD));
    static final Set<Role> BENCH = Collections.unmodifiableSet(EnumSet.of(Role.BENCH));
    static final Set<Role> REPLAY = Collections.unmodifiableSet(EnumSet.of(Role.REPLAY_DLQ));
  }
}
