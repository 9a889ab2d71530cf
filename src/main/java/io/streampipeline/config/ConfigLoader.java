package io.streampipeline.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@link PipelineConfig} from, lowest precedence first: a JSON file (conf/config.json, or the file
 * named by CONFIG_FILE / --config), the environment, and command-line flags ({@code --roles=pipeline} is
 * ROLES). Each section of the configuration has its reader (KafkaReader, LaneReader, ...), which reads its keys
 * through the key table ({@link ConfigKey}) and checks them once; a bad value throws {@link ConfigException}
 * naming the key.
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

  /** The keys the readers read to build a configuration from {@code values}: the table's rows in use. */
  static Set<ConfigKey> keysRead(Map<String, String> values) {
    ConfigLoader loader = new ConfigLoader(new HashMap<>(values), new HashMap<>(values));
    loader.build();
    return loader.source.keysRead();
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
    Set<Role> roles = RolesReader.read(source);
    return new PipelineConfig(
        roles,
        KafkaReader.read(source),
        PostgresReader.read(source),
        ConnectionReader.read(source),
        LaneReader.read(source),
        WindowReader.read(source),
        SinkReader.read(source),
        GeneratorReader.read(source),
        DashboardReader.read(source),
        source.port(ConfigKey.METRICS_PORT),
        RegistryReader.read(source),
        EmbeddedReader.read(source),
        OpsReader.read(source),
        source.wholeLong(ConfigKey.EVENTS, 1, Long.MAX_VALUE),
        roles.contains(Role.REPLAY_DLQ) ? ReplayReader.read(source) : null);
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
