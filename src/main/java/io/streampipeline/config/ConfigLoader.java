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
import java.util.function.Function;

/**
 * Builds {@link PipelineConfig} from, lowest precedence first: a JSON file (conf/config.json, or the file
 * named by CONFIG_FILE / --config), the environment, and command-line flags ({@code --roles=pipeline} is
 * ROLES). Every value is checked here, once; a bad one throws {@link ConfigException} naming the key.
 */
public final class ConfigLoader {
  private static final String FILE_SUFFIX = "_FILE";
  private static final String KAFKA_PROPERTY_PREFIX = "KAFKA_PROPERTY_";
  /** The longest duration any key accepts: a year. */
  private static final double MAX_SECONDS = 365 * 24 * 3600.0;
  private static final int MAX_PORT = 65535;


  private final Map<String, String> values;
  /** Command-line flags alone: the replay's filters are read only from here. */
  private final Map<String, String> flags;

  private ConfigLoader(Map<String, String> values, Map<String, String> flags) {
    this.values = values;
    this.flags = flags;
  }

  public static PipelineConfig load(Map<String, String> env, String[] args) {
    Map<String, String> flags = parseFlags(args);
    String file = flags.getOrDefault("CONFIG", env.getOrDefault("CONFIG_FILE", "conf/config.json"));
    Map<String, String> merged = new HashMap<>(readJson(Path.of(file), flags.containsKey("CONFIG")
        || env.containsKey("CONFIG_FILE")));
    merged.putAll(env);
    merged.putAll(flags);
    return new ConfigLoader(merged, flags).build();
  }

  /** For tests and embedding: only the given keys, no file, no environment. */
  public static PipelineConfig fromMap(Map<String, String> values) {
    return new ConfigLoader(new HashMap<>(values), new HashMap<>(values)).build();
  }

  /**
   * Every key this loader reads, found by building a configuration from nothing and recording the look-ups,
   * so deployment files can be checked against the code (DeploymentConsistencyTest). CONFIG_FILE included.
   */
  public static Set<String> knownKeys() {
    Set<String> read = new TreeSet<>();
    Map<String, String> recording = new HashMap<>() {
      @Override
      public String get(Object key) {
        read.add((String) key);
        return super.get(key);
      }
    };
    new ConfigLoader(recording, new HashMap<>()).build();
    read.add("CONFIG_FILE");
    return read;
  }

  private PipelineConfig build() {
    return new PipelineConfig(
        optional("KAFKA_BOOTSTRAP_SERVERS"),
        text("KAFKA_CLICKSTREAM_TOPIC", "clickstream.events"),
        text("KAFKA_AGGREGATED_TOPIC", "clickstream.aggregated"),
        text("KAFKA_DLQ_TOPIC", "clickstream.dlq"),
        text("KAFKA_CONSUMER_GROUP", "stream-pipeline-consumers"),
        decimal("PRODUCER_EVENTS_PER_SECOND", 100, 0, 10_000_000),
        whole("PRODUCER_NUM_USERS", 1000, 1, 100_000_000),
        whole("PRODUCER_NUM_PRODUCTS", 500, 1, 10_000_000),
        decimal("PRODUCER_ERROR_RATE", 0.02, 0, 1),
        optional("PRODUCER_MAX_EVENTS") == null ? PipelineConfig.UNLIMITED
            : wholeLong("PRODUCER_MAX_EVENTS", 0, 0, Long.MAX_VALUE),
        optional("PRODUCER_SEED") == null ? null : wholeLong("PRODUCER_SEED", 0, Long.MIN_VALUE, Long.MAX_VALUE),
        whole("SINK_BATCH_SIZE", 500, 1, 1_000_000),
        millis("SINK_FLUSH_INTERVAL_SECONDS", 5, 0.001),
        millis("WINDOW_TUMBLING_WINDOW_SECONDS", 60, 1),
        millis("WINDOW_REVENUE_WINDOW_SECONDS", 300, 1),
        millis("WINDOW_SESSION_TIMEOUT_SECONDS", 1800, 1),
        millis("WINDOW_ALLOWED_LATENESS_SECONDS", 10, 0),
        millis("WINDOW_IDLE_SECONDS", 10, 0),
        idleRule(),
        optional("POSTGRES_HOST"),
        port("POSTGRES_PORT", 5432),
        text("POSTGRES_DATABASE", "pipeline"),
        text("POSTGRES_USER", "pipeline"),
        Secret.of(text("POSTGRES_PASSWORD", "pipeline")),
        port("DASHBOARD_PORT", 8000),
        port("METRICS_PORT", 9090),
        roles(),
        whole("PIPELINE_INSTANCES", 1, 1, 64),
        Path.of(text("DATA_DIR", "./data")),
        port("EMBEDDED_KAFKA_PORT", 9092),
        port("EMBEDDED_POSTGRES_PORT", 5433),
        wholeLong("PIPELINE_MAX_IN_FLIGHT_EVENTS", 50_000, 1, Long.MAX_VALUE),
        wholeLong("EVENTS", 1_000_000, 1, Long.MAX_VALUE),
        offsetOutOfRange(),
        wholeLong("PIPELINE_MAX_IN_FLIGHT_BYTES", 64L << 20, 1 << 20, Long.MAX_VALUE),
        wholeLong("SINK_MAX_DELAY_MS", 100, 0, 3_600_000),
        connections(),
        dashboardAccess(),
        schemaRegistry(),
        ops(),
        inputLimits(),
        new PipelineConfig.LiveFeed(portOrOff("EVENTBUS_TCP_PORT", 7000), text("DASHBOARD_HOST", "127.0.0.1")),
        roles().contains(Role.REPLAY_DLQ) ? replayOptions() : null);
  }

  private int portOrOff(String key, int fallback) {
    String value = optional(key);
    return "0".equals(value) ? 0 : port(key, fallback);
  }

  /** The flags of {@code --roles=replay-dlq}; see {@link ReplayOptions}. */
  private ReplayOptions replayOptions() {
    String partition = flag("PARTITION");
    String limit = flag("LIMIT");
    Long since = ReplayTimes.parse("--since", flag("SINCE"));
    Long until = ReplayTimes.parse("--until", flag("UNTIL"));
    if (since != null && until != null && until <= since) {
      throw new ConfigException("--until", flag("UNTIL"), "is not after --since");
    }
    return new ReplayOptions(flag("REASON"), since, until,
        partition == null ? null : (int) flagNumber("--partition", partition, 0, Integer.MAX_VALUE),
        limit == null ? ReplayOptions.NO_LIMIT : flagNumber("--limit", limit, 1, Long.MAX_VALUE),
        switchFlag("--dry-run", flag("DRY_RUN")), flag("TO_TOPIC"), switchFlag("--again", flag("AGAIN")));
  }

  private String flag(String key) {
    String value = flags.get(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static long flagNumber(String name, String value, long min, long max) {
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(name, value, "is not a whole number");
    }
    return inRange(name, value, parsed, min, max);
  }

  private static boolean switchFlag(String name, String value) {
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new ConfigException(name, value, "takes no value (or true/false)");
  }

  private InputLimits inputLimits() {
    return new InputLimits(
        whole("PIPELINE_MAX_MESSAGE_BYTES", InputLimits.DEFAULTS.maxMessageBytes(), 1, Integer.MAX_VALUE),
        millis("WINDOW_MAX_FUTURE_SECONDS", InputLimits.DEFAULTS.maxFutureMs() / 1000.0, 0));
  }

  private OpsConfig ops() {
    return new OpsConfig(
        migrate(),
        choice("LOG_FORMAT", OpsConfig.LOG_TEXT, OpsConfig.LOG_TEXT, OpsConfig.LOG_JSON),
        whole("RETENTION_DAYS_EVENTS", 0, 0, 36_500),
        whole("RETENTION_DAYS_DLQ", 30, 0, 36_500),
        whole("RETENTION_DAYS_WINDOWS", 0, 0, 36_500),
        millis("RETENTION_INTERVAL_SECONDS", 3600, 1));
  }

  private OpsConfig.Migrate migrate() {
    String value = choice("POSTGRES_MIGRATE", "true", "true", "false", "only");
    for (OpsConfig.Migrate mode : OpsConfig.Migrate.values()) {
      if (mode.value.equals(value)) {
        return mode;
      }
    }
    throw new IllegalStateException(value);
  }

  private String choice(String key, String fallback, String... allowed) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    for (String option : allowed) {
      if (option.equalsIgnoreCase(value)) {
        return option;
      }
    }
    throw new ConfigException(key, value, "must be one of " + String.join(", ", allowed));
  }

  private SchemaRegistrySettings schemaRegistry() {
    String url = optional("SCHEMA_REGISTRY_URL");
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
    String userInfo = optional("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO");
    if (userInfo != null && userInfo.indexOf(':') < 1) {
      throw new ConfigException("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "<hidden>", "is not user:password");
    }
    String rootCert = optional("SCHEMA_REGISTRY_SSL_ROOT_CERT");
    if (rootCert != null && !Files.isReadable(Path.of(rootCert))) {
      throw new ConfigException("SCHEMA_REGISTRY_SSL_ROOT_CERT", rootCert, "is not a readable file");
    }
    SchemaRegistrySettings.WireFormat aggregated = wireFormat("AGGREGATED_WIRE_FORMAT", url);
    SchemaRegistrySettings.WireFormat producer = wireFormat("PRODUCER_WIRE_FORMAT", url);
    return new SchemaRegistrySettings(url, userInfo, rootCert, aggregated, producer);
  }

  private SchemaRegistrySettings.WireFormat wireFormat(String key, String registryUrl) {
    String value = text(key, "single-object");
    for (SchemaRegistrySettings.WireFormat format : SchemaRegistrySettings.WireFormat.values()) {
      if (format.configName().equals(value.toLowerCase(Locale.ROOT))) {
        if (format == SchemaRegistrySettings.WireFormat.REGISTRY && registryUrl == null) {
          throw new ConfigException(key, value, "needs SCHEMA_REGISTRY_URL");
        }
        return format;
      }
    }
    throw new ConfigException(key, value, "is not single-object or registry");
  }

  /** Shortest DASHBOARD_AUTH_TOKEN accepted: the login has no rate limit, so the token must not be guessable. */
  static final int MIN_TOKEN_LENGTH = 16;

  private DashboardAccess dashboardAccess() {
    // Like every key, the token may come from DASHBOARD_AUTH_TOKEN_FILE (a mounted secret).
    String token = optional("DASHBOARD_AUTH_TOKEN");
    String key = values.containsKey("DASHBOARD_AUTH_TOKEN" + FILE_SUFFIX) ? "DASHBOARD_AUTH_TOKEN" + FILE_SUFFIX
        : "DASHBOARD_AUTH_TOKEN";
    if (token == null && key.endsWith(FILE_SUFFIX)) {
      throw new ConfigException(key, values.get(key), "is empty: the dashboard would be open to anyone");
    }
    if (token != null && (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~'))) {
      // The value itself is a secret: it is not repeated in the message.
      throw new ConfigException(key, "(hidden)", "must be at least " + MIN_TOKEN_LENGTH
          + " printable ASCII characters without spaces");
    }
    List<String> origins = new ArrayList<>();
    String originList = optional("DASHBOARD_ALLOWED_ORIGINS");
    if (originList != null) {
      for (String origin : originList.split(",")) {
        if (!origin.isBlank()) {
          origins.add(origin(originList, origin.strip()));
        }
      }
    }
    String cert = optional("DASHBOARD_TLS_CERT");
    String privateKey = optional("DASHBOARD_TLS_KEY");
    if ((cert == null) != (privateKey == null)) {
      throw new ConfigException(cert == null ? "DASHBOARD_TLS_CERT" : "DASHBOARD_TLS_KEY", "",
          "is missing: set both DASHBOARD_TLS_CERT and DASHBOARD_TLS_KEY (PEM files) or neither");
    }
    return new DashboardAccess(text("DASHBOARD_HOST", DashboardAccess.DEFAULT_HOST), token, origins,
        readableFile("DASHBOARD_TLS_CERT", cert), readableFile("DASHBOARD_TLS_KEY", privateKey));
  }

  private static String origin(String list, String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    if (!lower.matches("https?://[a-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+](:[0-9]{1,5})?")) {
      throw new ConfigException("DASHBOARD_ALLOWED_ORIGINS", list, "holds '" + origin
          + "', which is not an origin like https://host or http://host:8080 (no path, no wildcard)");
    }
    return lower;
  }

  private static Path readableFile(String key, String value) {
    if (value == null) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isReadable(path) || Files.isDirectory(path)) {
      throw new ConfigException(key, value, "is not a readable file");
    }
    return path;
  }

  private IdleRule idleRule() {
    String value = text("WINDOW_IDLE_RULE", IdleRule.EVENT_TIME.configName());
    try {
      return IdleRule.fromConfigName(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("WINDOW_IDLE_RULE", value, e.getMessage());
    }
  }

  private PipelineConfig.OffsetOutOfRange offsetOutOfRange() {
    String value = text("PIPELINE_OFFSET_OUT_OF_RANGE", "reset");
    try {
      return PipelineConfig.OffsetOutOfRange.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("PIPELINE_OFFSET_OUT_OF_RANGE", value, "must be reset or halt");
    }
  }

  private ConnectionSettings connections() {
    Integer replication = optional("KAFKA_TOPIC_REPLICATION_FACTOR") == null ? null
        : whole("KAFKA_TOPIC_REPLICATION_FACTOR", 1, 1, Short.MAX_VALUE);
    Integer minInsync = optional("KAFKA_TOPIC_MIN_INSYNC_REPLICAS") == null ? null
        : whole("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", 1, 1, Short.MAX_VALUE);
    if (replication != null && minInsync != null && minInsync > replication) {
      throw new ConfigException("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", minInsync.toString(),
          "is more than KAFKA_TOPIC_REPLICATION_FACTOR=" + replication + ": no write could ever succeed");
    }
    PostgresSslMode sslMode = null;
    String mode = optional("POSTGRES_SSL_MODE");
    if (mode != null) {
      sslMode = PostgresSslMode.parse(mode);
      if (sslMode == null) {
        throw new ConfigException("POSTGRES_SSL_MODE", mode,
            "is not one of disable, prefer, require, verify-ca, verify-full");
      }
    }
    Path rootCert = readableFile("POSTGRES_SSL_ROOT_CERT");
    if (sslMode != null && sslMode.verifiesCertificate() && rootCert == null) {
      throw new ConfigException("POSTGRES_SSL_ROOT_CERT", null, "must name the CA certificate (PEM) that signed the "
          + "server's certificate when POSTGRES_SSL_MODE=" + sslMode.libpqName());
    }
    return new ConnectionSettings(kafkaProperties(), replication, minInsync, bool("KAFKA_CREATE_TOPICS", true),
        sslMode, rootCert, whole("POSTGRES_POOL_SIZE", ConnectionSettings.DEFAULT_POOL_SIZE, 1, 100));
  }

  /** KAFKA_PROPERTIES_FILE (a Java properties file), then every KAFKA_PROPERTY_&lt;NAME&gt; over it. */
  private KafkaClientProperties kafkaProperties() {
    Map<String, String> properties = new TreeMap<>();
    Path file = readableFile("KAFKA_PROPERTIES_FILE");
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
    for (String key : new TreeSet<>(values.keySet())) {
      if (!key.startsWith(KAFKA_PROPERTY_PREFIX) || key.length() == KAFKA_PROPERTY_PREFIX.length()) {
        continue;
      }
      String suffix = key.substring(KAFKA_PROPERTY_PREFIX.length());
      if (suffix.endsWith(FILE_SUFFIX)) {
        String base = KAFKA_PROPERTY_PREFIX + suffix.substring(0, suffix.length() - FILE_SUFFIX.length());
        String value = optional(base);
        if (value != null) {
          properties.put(KafkaClientProperties.propertyName(base.substring(KAFKA_PROPERTY_PREFIX.length())), value);
        }
      } else if (optional(key) != null) {
        properties.put(KafkaClientProperties.propertyName(suffix), optional(key));
      }
    }
    for (String name : properties.keySet()) {
      if (KafkaClientProperties.RESERVED.contains(name)) {
        throw new ConfigException("KAFKA_PROPERTY_" + name.toUpperCase(Locale.ROOT).replace('.', '_'),
            properties.get(name), "sets " + name + ", which the pipeline sets itself"
                + (name.equals("bootstrap.servers") ? " (use KAFKA_BOOTSTRAP_SERVERS)" : " (exactly once depends on it)"));
      }
    }
    return KafkaClientProperties.of(properties);
  }

  /** A file the key names, which must exist and be readable; null when the key is unset. */
  private Path readableFile(String key) {
    String value = optional(key);
    if (value == null) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ConfigException(key, value, Files.exists(path) ? "is not a readable file" : "does not exist");
    }
    return path;
  }

  private boolean bool(String key, boolean fallback) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new ConfigException(key, value, "is not true or false");
    };
  }

  /**
   * The key's value, or the content of the file named by KEY_FILE (how container platforms hand over secrets;
   * one trailing line break is dropped). Any key can come from a file; setting both is refused as ambiguous.
   */
  private String optional(String key) {
    String value = blankToNull(values.get(key));
    String file = blankToNull(values.get(key + FILE_SUFFIX));
    if (file == null) {
      return value;
    }
    if (value != null) {
      throw new ConfigException(key + FILE_SUFFIX, file, "is set together with " + key + ": set only one of them");
    }
    try {
      String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
          : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
      return blankToNull(content);
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new ConfigException(key + FILE_SUFFIX, file, Files.exists(Path.of(file)) ? "is not a readable file"
          : "does not exist");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private String text(String key, String fallback) {
    String value = optional(key);
    return value == null ? fallback : value;
  }

  private int whole(String key, int fallback, int min, int max) {
    return (int) wholeLong(key, fallback, min, max);
  }

  private long wholeLong(String key, long fallback, long min, long max) {
    String value = optional(key);
    return value == null ? fallback
        : inRange(key, value, parse(key, value, Long::parseLong, "is not a whole number"), min, max);
  }

  private double decimal(String key, double fallback, double min, double max) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    double parsed = parse(key, value, Double::parseDouble, "is not a number");
    if (Double.isNaN(parsed) || parsed < min || parsed > max) {
      throw new ConfigException(key, value, "must be between " + plain(min) + " and " + plain(max));
    }
    return parsed;
  }

  private long millis(String key, double fallbackSeconds, double minSeconds) {
    return Math.round(decimal(key, fallbackSeconds, minSeconds, MAX_SECONDS) * 1000);
  }

  private int port(String key, int fallback) {
    String value = optional(key);
    if (value == null) {
      return fallback;
    }
    long parsed = parse(key, value, Long::parseLong, "is not a port number");
    if (parsed < 1 || parsed > MAX_PORT) {
      throw new ConfigException(key, value, "is out of range (1-" + MAX_PORT + ")");
    }
    return (int) parsed;
  }

  /** {@code parser} applied to the value; a value it cannot read is reported as {@code notReadable}. */
  private static <T> T parse(String key, String value, Function<String, T> parser, String notReadable) {
    try {
      return parser.apply(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, notReadable);
    }
  }

  private Set<Role> roles() {
    String value = text("ROLES", "generator,pipeline,dashboard");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : value.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ROLES", value, "names an unknown role '" + name.trim()
            + "' (known: generator, pipeline, dashboard, bench, replay-dlq)");
      }
    }
    if (roles.isEmpty()) {
      throw new ConfigException("ROLES", value, "names no role");
    }
    if (roles.contains(Role.REPLAY_DLQ) && roles.size() > 1) {
      throw new ConfigException("ROLES", value, "combines replay-dlq with other roles; replay-dlq runs alone");
    }
    return roles;
  }

  private static long inRange(String key, String value, long parsed, long min, long max) {
    if (parsed < min || parsed > max) {
      throw new ConfigException(key, value, "must be between " + min + " and " + max);
    }
    return parsed;
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
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
