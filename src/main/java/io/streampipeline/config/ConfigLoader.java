package io.streampipeline.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds {@link PipelineConfig} from, lowest precedence first: a JSON file (conf/config.json, or the file
 * named by CONFIG_FILE / --config), the environment, and command-line flags ({@code --roles=pipeline} is
 * ROLES). Every value is checked here, once; a bad one throws {@link ConfigException} naming the key.
 */
public final class ConfigLoader {
  private final ConfigSource source;

  private ConfigLoader(Map<String, String> values, Map<String, String> flags) {
    this.source = new ConfigSource(values, flags);
  }

  public static PipelineConfig load(Map<String, String> env, String[] args) {
    Map<String, String> flags = parseFlags(args);
    String file = flags.getOrDefault(ConfigKey.CONFIG_FLAG, env.getOrDefault(ConfigKey.CONFIG_FILE.name(),
        ConfigKey.CONFIG_FILE.defaultValue()));
    Map<String, String> merged = new HashMap<>(readJson(Path.of(file),
        flags.containsKey(ConfigKey.CONFIG_FLAG) || env.containsKey(ConfigKey.CONFIG_FILE.name())));
    merged.putAll(env);
    merged.putAll(flags);
    return new ConfigLoader(merged, flags).build();
  }

  /** For tests and embedding: only the given keys, no file, no environment. */
  public static PipelineConfig fromMap(Map<String, String> values) {
    return new ConfigLoader(new HashMap<>(values), new HashMap<>(values)).build();
  }

  /**
   * Every key of the table ({@link ConfigKey}), CONFIG_FILE included, so deployment files can be checked against
   * the code (DeploymentConsistencyTest). {@link ConfigKey#isKnown} also accepts KEY_FILE and KAFKA_PROPERTY_*.
   */
  public static Set<String> knownKeys() {
    Set<String> keys = new TreeSet<>();
    for (ConfigKey key : ConfigKey.values()) {
      keys.add(key.name());
    }
    return keys;
  }

  private PipelineConfig build() {
    ConfigSource in = source;
    Set<Role> roles = roles();
    DashboardAccess dashboardAccess = dashboardAccess();
    return new PipelineConfig(
        in.optional(ConfigKey.KAFKA_BOOTSTRAP_SERVERS),
        in.text(ConfigKey.KAFKA_CLICKSTREAM_TOPIC),
        in.text(ConfigKey.KAFKA_AGGREGATED_TOPIC),
        in.text(ConfigKey.KAFKA_DLQ_TOPIC),
        in.text(ConfigKey.KAFKA_CONSUMER_GROUP),
        in.decimal(ConfigKey.PRODUCER_EVENTS_PER_SECOND, 0, 10_000_000),
        in.whole(ConfigKey.PRODUCER_NUM_USERS, 1, 100_000_000),
        in.whole(ConfigKey.PRODUCER_NUM_PRODUCTS, 1, 10_000_000),
        in.decimal(ConfigKey.PRODUCER_ERROR_RATE, 0, 1),
        in.isSet(ConfigKey.PRODUCER_MAX_EVENTS) ? in.wholeLong(ConfigKey.PRODUCER_MAX_EVENTS, 0, Long.MAX_VALUE)
            : PipelineConfig.UNLIMITED,
        in.optionalWhole(ConfigKey.PRODUCER_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
        in.whole(ConfigKey.SINK_BATCH_SIZE, 1, 1_000_000),
        in.millis(ConfigKey.SINK_FLUSH_INTERVAL_SECONDS, 0.001),
        in.millis(ConfigKey.WINDOW_TUMBLING_WINDOW_SECONDS, 1),
        in.millis(ConfigKey.WINDOW_REVENUE_WINDOW_SECONDS, 1),
        in.millis(ConfigKey.WINDOW_SESSION_TIMEOUT_SECONDS, 1),
        in.millis(ConfigKey.WINDOW_ALLOWED_LATENESS_SECONDS, 0),
        in.millis(ConfigKey.WINDOW_IDLE_SECONDS, 0),
        in.named(ConfigKey.WINDOW_IDLE_RULE, IdleRule.class),
        in.optional(ConfigKey.POSTGRES_HOST),
        in.port(ConfigKey.POSTGRES_PORT),
        in.text(ConfigKey.POSTGRES_DATABASE),
        in.text(ConfigKey.POSTGRES_USER),
        Secret.of(in.text(ConfigKey.POSTGRES_PASSWORD)),
        in.port(ConfigKey.DASHBOARD_PORT),
        in.port(ConfigKey.METRICS_PORT),
        roles,
        in.whole(ConfigKey.PIPELINE_INSTANCES, 1, 64),
        Path.of(in.text(ConfigKey.DATA_DIR)),
        in.port(ConfigKey.EMBEDDED_KAFKA_PORT),
        in.port(ConfigKey.EMBEDDED_POSTGRES_PORT),
        in.wholeLong(ConfigKey.PIPELINE_MAX_IN_FLIGHT_EVENTS, 1, Long.MAX_VALUE),
        in.wholeLong(ConfigKey.EVENTS, 1, Long.MAX_VALUE),
        in.named(ConfigKey.PIPELINE_OFFSET_OUT_OF_RANGE, PipelineConfig.OffsetOutOfRange.class),
        in.wholeLong(ConfigKey.PIPELINE_MAX_IN_FLIGHT_BYTES, 1 << 20, Long.MAX_VALUE),
        in.wholeLong(ConfigKey.SINK_MAX_DELAY_MS, 0, 3_600_000),
        connections(),
        dashboardAccess,
        schemaRegistry(),
        ops(),
        new InputLimits(in.whole(ConfigKey.PIPELINE_MAX_MESSAGE_BYTES, 1, Integer.MAX_VALUE),
            in.millis(ConfigKey.WINDOW_MAX_FUTURE_SECONDS, 0)),
        new PipelineConfig.LiveFeed(in.portOrOff(ConfigKey.EVENTBUS_TCP_PORT), dashboardAccess.host()),
        roles.contains(Role.REPLAY_DLQ) ? replayOptions() : null);
  }

  /** The flags of {@code --roles=replay-dlq}; see {@link ReplayOptions}. */
  private ReplayOptions replayOptions() {
    ConfigSource in = source;
    Long since = ReplayTimes.parse(ConfigKey.SINCE.flagName(), in.flag(ConfigKey.SINCE));
    Long until = ReplayTimes.parse(ConfigKey.UNTIL.flagName(), in.flag(ConfigKey.UNTIL));
    if (since != null && until != null && until <= since) {
      throw new ConfigException("--until", in.flag(ConfigKey.UNTIL), "is not after --since");
    }
    Long partition = in.flagNumber(ConfigKey.PARTITION, 0, Integer.MAX_VALUE);
    Long limit = in.flagNumber(ConfigKey.LIMIT, 1, Long.MAX_VALUE);
    return new ReplayOptions(in.flag(ConfigKey.REASON), since, until,
        partition == null ? null : partition.intValue(), limit == null ? ReplayOptions.NO_LIMIT : limit,
        in.switchFlag(ConfigKey.DRY_RUN), in.flag(ConfigKey.TO_TOPIC), in.switchFlag(ConfigKey.AGAIN));
  }

  private OpsConfig ops() {
    ConfigSource in = source;
    OpsConfig.Migrate migrate = switch (in.choice(ConfigKey.POSTGRES_MIGRATE, "true", "false", "only")) {
      case "true" -> OpsConfig.Migrate.APPLY;
      case "false" -> OpsConfig.Migrate.CHECK;
      default -> OpsConfig.Migrate.ONLY;
    };
    return new OpsConfig(migrate,
        in.choice(ConfigKey.LOG_FORMAT, OpsConfig.LOG_TEXT, OpsConfig.LOG_JSON),
        in.whole(ConfigKey.RETENTION_DAYS_EVENTS, 0, 36_500),
        in.whole(ConfigKey.RETENTION_DAYS_DLQ, 0, 36_500),
        in.whole(ConfigKey.RETENTION_DAYS_WINDOWS, 0, 36_500),
        in.millis(ConfigKey.RETENTION_INTERVAL_SECONDS, 1));
  }

  private SchemaRegistrySettings schemaRegistry() {
    ConfigSource in = source;
    String url = in.optional(ConfigKey.SCHEMA_REGISTRY_URL);
    if (url != null) {
      String lower = url.toLowerCase(Locale.ROOT);
      if (!(lower.startsWith("http://") || lower.startsWith("https://")) || lower.contains("@")) {
        throw new ConfigException("SCHEMA_REGISTRY_URL", url, "is not an http:// or https:// URL without user info "
            + "(credentials go in SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)");
      }
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
    }
    // Like every key, it may come from SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE (a mounted secret).
    String userInfo = in.optional(ConfigKey.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
    if (userInfo != null && userInfo.indexOf(':') < 1) {
      throw new ConfigException("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "<hidden>", "is not user:password");
    }
    Path rootCert = in.readableFile(ConfigKey.SCHEMA_REGISTRY_SSL_ROOT_CERT);
    SchemaRegistrySettings.WireFormat aggregated = wireFormat(ConfigKey.AGGREGATED_WIRE_FORMAT, url);
    SchemaRegistrySettings.WireFormat producer = wireFormat(ConfigKey.PRODUCER_WIRE_FORMAT, url);
    return new SchemaRegistrySettings(url, userInfo, rootCert == null ? null : rootCert.toString(), aggregated,
        producer);
  }

  private SchemaRegistrySettings.WireFormat wireFormat(ConfigKey key, String registryUrl) {
    SchemaRegistrySettings.WireFormat format = source.named(key, SchemaRegistrySettings.WireFormat.class);
    if (format == SchemaRegistrySettings.WireFormat.REGISTRY && registryUrl == null) {
      throw new ConfigException(key.name(), source.text(key), "needs SCHEMA_REGISTRY_URL");
    }
    return format;
  }

  /** Shortest DASHBOARD_AUTH_TOKEN accepted: the login has no rate limit, so the token must not be guessable. */
  static final int MIN_TOKEN_LENGTH = 16;

  private DashboardAccess dashboardAccess() {
    ConfigSource in = source;
    // Like every key, the token may come from DASHBOARD_AUTH_TOKEN_FILE (a mounted secret).
    String token = in.optional(ConfigKey.DASHBOARD_AUTH_TOKEN);
    String fileKey = ConfigKey.DASHBOARD_AUTH_TOKEN.name() + ConfigKey.FILE_SUFFIX;
    String key = in.fromFile(ConfigKey.DASHBOARD_AUTH_TOKEN) ? fileKey : ConfigKey.DASHBOARD_AUTH_TOKEN.name();
    if (token == null && key.equals(fileKey)) {
      throw new ConfigException(key, in.fileName(ConfigKey.DASHBOARD_AUTH_TOKEN),
          "is empty: the dashboard would be open to anyone");
    }
    if (token != null && (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~'))) {
      // The value itself is a secret: it is not repeated in the message.
      throw new ConfigException(key, "(hidden)", "must be at least " + MIN_TOKEN_LENGTH
          + " printable ASCII characters without spaces");
    }
    List<String> origins = new ArrayList<>();
    String originList = in.optional(ConfigKey.DASHBOARD_ALLOWED_ORIGINS);
    if (originList != null) {
      for (String origin : originList.split(",")) {
        if (!origin.isBlank()) {
          origins.add(origin(originList, origin.strip()));
        }
      }
    }
    String cert = in.optional(ConfigKey.DASHBOARD_TLS_CERT);
    String privateKey = in.optional(ConfigKey.DASHBOARD_TLS_KEY);
    if ((cert == null) != (privateKey == null)) {
      throw new ConfigException(cert == null ? "DASHBOARD_TLS_CERT" : "DASHBOARD_TLS_KEY", "",
          "is missing: set both DASHBOARD_TLS_CERT and DASHBOARD_TLS_KEY (PEM files) or neither");
    }
    return new DashboardAccess(in.text(ConfigKey.DASHBOARD_HOST), token, origins,
        in.readableFile(ConfigKey.DASHBOARD_TLS_CERT), in.readableFile(ConfigKey.DASHBOARD_TLS_KEY));
  }

  private static String origin(String list, String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    if (!lower.matches("https?://[a-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+](:[0-9]{1,5})?")) {
      throw new ConfigException("DASHBOARD_ALLOWED_ORIGINS", list, "holds '" + origin
          + "', which is not an origin like https://host or http://host:8080 (no path, no wildcard)");
    }
    return lower;
  }

  private ConnectionSettings connections() {
    ConfigSource in = source;
    Long replication = in.optionalWhole(ConfigKey.KAFKA_TOPIC_REPLICATION_FACTOR, 1, Short.MAX_VALUE);
    Long minInsync = in.optionalWhole(ConfigKey.KAFKA_TOPIC_MIN_INSYNC_REPLICAS, 1, Short.MAX_VALUE);
    if (replication != null && minInsync != null && minInsync > replication) {
      throw new ConfigException("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", minInsync.toString(),
          "is more than KAFKA_TOPIC_REPLICATION_FACTOR=" + replication + ": no write could ever succeed");
    }
    PostgresSslMode sslMode = in.named(ConfigKey.POSTGRES_SSL_MODE, PostgresSslMode.class);
    Path rootCert = in.readableFile(ConfigKey.POSTGRES_SSL_ROOT_CERT);
    if (sslMode != null && sslMode.verifiesCertificate() && rootCert == null) {
      throw new ConfigException("POSTGRES_SSL_ROOT_CERT", null, "must name the CA certificate (PEM) that signed the "
          + "server's certificate when POSTGRES_SSL_MODE=" + sslMode.libpqName());
    }
    return new ConnectionSettings(kafkaProperties(),
        replication == null ? null : replication.intValue(), minInsync == null ? null : minInsync.intValue(),
        in.bool(ConfigKey.KAFKA_CREATE_TOPICS), sslMode, rootCert, in.whole(ConfigKey.POSTGRES_POOL_SIZE, 1, 100));
  }

  /** KAFKA_PROPERTIES_FILE (a Java properties file), then every KAFKA_PROPERTY_&lt;NAME&gt; over it. */
  private KafkaClientProperties kafkaProperties() {
    Map<String, String> properties = new TreeMap<>();
    Path file = source.readableFile(ConfigKey.KAFKA_PROPERTIES_FILE);
    if (file != null) {
      Properties loaded = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        loaded.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("KAFKA_PROPERTIES_FILE", file.toString(), "is not a readable properties file ("
            + e.getClass().getSimpleName() + ")");
      }
      loaded.stringPropertyNames().forEach(name -> properties.put(name.trim(), loaded.getProperty(name).trim()));
    }
    String prefix = ConfigKey.KAFKA_PROPERTY_PREFIX;
    for (String key : source.namesStartingWith(prefix)) {
      if (key.length() == prefix.length()) {
        continue;
      }
      String suffix = key.substring(prefix.length());
      if (suffix.endsWith(ConfigKey.FILE_SUFFIX)) {
        String base = prefix + suffix.substring(0, suffix.length() - ConfigKey.FILE_SUFFIX.length());
        String value = source.optional(base);
        if (value != null) {
          properties.put(KafkaClientProperties.propertyName(base.substring(prefix.length())), value);
        }
      } else if (source.optional(key) != null) {
        properties.put(KafkaClientProperties.propertyName(suffix), source.optional(key));
      }
    }
    for (String name : properties.keySet()) {
      if (KafkaClientProperties.RESERVED.contains(name)) {
        throw new ConfigException(prefix + name.toUpperCase(Locale.ROOT).replace('.', '_'),
            properties.get(name), "sets " + name + ", which the pipeline sets itself"
                + (name.equals("bootstrap.servers") ? " (use KAFKA_BOOTSTRAP_SERVERS)" : " (exactly once depends on it)"));
      }
    }
    return KafkaClientProperties.of(properties);
  }

  private Set<Role> roles() {
    String value = source.text(ConfigKey.ROLES);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : value.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      Role role = ConfigName.find(Role.class, name);
      if (role == null) {
        throw new ConfigException("ROLES", value, "names an unknown role '" + name.trim()
            + "' (known: " + ConfigName.choices(Role.class) + ")");
      }
      roles.add(role);
    }
    if (roles.isEmpty()) {
      throw new ConfigException("ROLES", value, "names no role");
    }
    if (roles.contains(Role.REPLAY_DLQ) && roles.size() > 1) {
      throw new ConfigException("ROLES", value, "combines replay-dlq with other roles; replay-dlq runs alone");
    }
    return roles;
  }

  /** {@code --some-key=value} becomes SOME_KEY; a flag without a value is "true". */
  static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new ConfigException("arguments", arg, "is not a --key=value flag");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      String key = name.replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
      flags.put(key, eq < 0 ? "true" : arg.substring(eq + 1));
    }
    return flags;
  }

  private static Map<String, String> readJson(Path file, boolean required) {
    Map<String, String> values = new HashMap<>();
    if (!Files.exists(file)) {
      if (required) {
        throw new ConfigException("CONFIG_FILE", file.toString(), "does not exist");
      }
      return values;
    }
    try {
      JsonObject json = new JsonObject(Files.readString(file));
      json.forEach(entry -> values.put(entry.getKey(), entry.getValue() == null ? null : entry.getValue().toString()));
    } catch (IOException | DecodeException e) {
      throw new ConfigException("CONFIG_FILE", file.toString(), "is not readable JSON: " + e.getMessage()
          .lines().findFirst().orElse(""));
    }
    return values;
  }
}
