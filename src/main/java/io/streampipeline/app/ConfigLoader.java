package io.streampipeline.app;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds {@link PipelineConfig} from, lowest precedence first: a JSON file (conf/config.json, or the file
 * named by CONFIG_FILE / --config), the environment, and command-line flags ({@code --roles=pipeline} is
 * ROLES). Every value is checked here, once; a bad one throws {@link ConfigException} naming the key.
 */
public final class ConfigLoader {
  /** The longest duration any key accepts: a year. */
  private static final double MAX_SECONDS = 365 * 24 * 3600.0;
  private static final int MAX_PORT = 65535;

  private final Map<String, String> values;

  private ConfigLoader(Map<String, String> values) {
    this.values = values;
  }

  public static PipelineConfig load(Map<String, String> env, String[] args) {
    Map<String, String> flags = parseFlags(args);
    String file = flags.getOrDefault("CONFIG", env.getOrDefault("CONFIG_FILE", "conf/config.json"));
    Map<String, String> merged = new HashMap<>(readJson(Path.of(file), flags.containsKey("CONFIG")
        || env.containsKey("CONFIG_FILE")));
    merged.putAll(env);
    merged.putAll(flags);
    return new ConfigLoader(merged).build();
  }

  /** For tests and embedding: only the given keys, no file, no environment. */
  public static PipelineConfig fromMap(Map<String, String> values) {
    return new ConfigLoader(new HashMap<>(values)).build();
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
        optional("POSTGRES_HOST"),
        port("POSTGRES_PORT", 5432),
        text("POSTGRES_DATABASE", "pipeline"),
        text("POSTGRES_USER", "pipeline"),
        text("POSTGRES_PASSWORD", "pipeline"),
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
        wholeLong("PIPELINE_MAX_IN_FLIGHT_BYTES", 64L << 20, 1 << 20, Long.MAX_VALUE));
  }

  private PipelineConfig.OffsetOutOfRange offsetOutOfRange() {
    String value = text("PIPELINE_OFFSET_OUT_OF_RANGE", "reset");
    try {
      return PipelineConfig.OffsetOutOfRange.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("PIPELINE_OFFSET_OUT_OF_RANGE", value, "must be reset or halt");
    }
  }

  private String optional(String key) {
    String value = values.get(key);
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
        roles.add(Role.valueOf(name.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ROLES", value, "names an unknown role '" + name.trim()
            + "' (known: generator, pipeline, dashboard, bench)");
      }
    }
    if (roles.isEmpty()) {
      throw new ConfigException("ROLES", value, "names no role");
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
