package io.streampipeline.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.stream.Collectors;

/**
 * Writes docs/configuration.md from the key table ({@link ConfigKey}); ConfigDocsTest fails when the file differs.
 * Regenerate with {@code mvn -o -q test -Dtest=ConfigDocsTest -Dregenerate} (or run this class's main from the
 * project directory).
 */
public final class ConfigDocs {
  public static final Path FILE = Path.of("docs/configuration.md");
  public static final String REGENERATE = "mvn -o -q test -Dtest=ConfigDocsTest -Dregenerate";

  private ConfigDocs() {
  }

  public static void main(String[] args) throws IOException {
    Files.writeString(FILE, render(), StandardCharsets.UTF_8);
  }

  /** The whole of docs/configuration.md. */
  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Configuration\n\n")
        .append("<!-- Generated from src/main/java/io/streampipeline/config/ConfigKey.java: edit the table there, "
            + "then run `").append(REGENERATE).append("`. -->\n\n")
        .append("All optional. Environment variables win over a JSON file (`conf/config.json`, or the file named by "
            + "`CONFIG_FILE`);\ncommand-line flags (`--roles=pipeline`, `--pipeline-instances=2`, any "
            + "`--key=value`) win over both. A bad value\nstops start-up with one line naming the key, e.g. "
            + "`Invalid configuration: DASHBOARD_PORT='abc' is not a port number`.\n"
            + "`conf/pipeline.example.json` shows the file format. Durations in seconds accept fractions.\n\n")
        .append("| Key | Default | Value | Read by | Meaning |\n|---|---|---|---|---|\n");
    for (ConfigKey key : ConfigKey.values()) {
      if (!key.flagOnly()) {
        row(out, "`" + key.name() + "`", key);
      }
    }
    out.append("| `<KEY>").append(ConfigKey.FILE_SUFFIX).append("` | unset | file path | as `<KEY>` | any key's value "
        + "read from a file (one trailing line break dropped), e.g. `POSTGRES_PASSWORD_FILE=/run/secrets/pg`, "
        + "`KAFKA_PROPERTY_SASL_JAAS_CONFIG_FILE`; setting both `KEY` and `KEY_FILE` is refused |\n");
    out.append("| `").append(ConfigKey.KAFKA_PROPERTY_PREFIX).append("<NAME>` | unset | text | all | one Kafka client "
        + "setting, over `KAFKA_PROPERTIES_FILE`: lower-cased, `_` → `.` (`KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL` "
        + "is `security.protocol=SASL_SSL`); settings exactly once depends on (`bootstrap.servers`, `group.id`, "
        + "`enable.auto.commit`, serializers, `acks`, `enable.idempotence`, `isolation.level`) are refused |\n");
    out.append("\n## Replaying dead letters\n\n")
        .append("`--roles=replay-dlq` reads its filters from the command line only, so that an environment variable "
            + "cannot change what a\nreplay sends.\n\n")
        .append("| Flag | Default | Value | Read by | Meaning |\n|---|---|---|---|---|\n");
    for (ConfigKey key : ConfigKey.values()) {
      if (key.flagOnly()) {
        row(out, "`" + key.flagName() + "`", key);
      }
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String name, ConfigKey key) {
    String fallback = key.defaultValue() != null ? "`" + key.defaultValue() + "`" : "unset: " + key.unsetMeans();
    out.append("| ").append(name).append(" | ").append(fallback).append(" | ").append(kind(key)).append(" | ")
        .append(readers(key)).append(" | ").append(key.description().replace("|", "\\|")).append(" |\n");
  }

  private static String kind(ConfigKey key) {
    if (key.kind() != ConfigKey.Kind.CHOICE) {
      return key.kind().description;
    }
    return switch (key) {
      case POSTGRES_MIGRATE -> "`true`, `false`, `only`";
      case LOG_FORMAT -> "`" + OpsConfig.LOG_TEXT + "`, `" + OpsConfig.LOG_JSON + "`";
      case WINDOW_IDLE_RULE -> choices(IdleRule.class);
      case PIPELINE_OFFSET_OUT_OF_RANGE -> choices(PipelineConfig.OffsetOutOfRange.class);
      case POSTGRES_SSL_MODE -> choices(PostgresSslMode.class);
      case AGGREGATED_WIRE_FORMAT, PRODUCER_WIRE_FORMAT -> choices(SchemaRegistrySettings.WireFormat.class);
      default -> key.kind().description;
    };
  }

  private static String choices(Class<? extends Enum<?>> type) {
    return "`" + ConfigName.choices(type).replace(", ", "`, `") + "`";
  }

  private static String readers(ConfigKey key) {
    if (key.readBy().equals(EnumSet.allOf(Role.class))) {
      return "all";
    }
    return key.readBy().stream().map(ConfigName::of).collect(Collectors.joining(", "));
  }
}
