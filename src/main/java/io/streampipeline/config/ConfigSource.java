package io.streampipeline.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The merged keys (file, environment, flags) read through {@link ConfigKey}: each read checks the value and
 * throws {@link ConfigException} naming the key; an unset key gives the table's default. Any key's value may come
 * from the file named by KEY_FILE instead. The section readers build their records from here.
 */
public final class ConfigSource {
  /** The longest duration any key accepts: a year. */
  private static final double MAX_SECONDS = 365 * 24 * 3600.0;
  private static final int MAX_PORT = 65535;

  private final Map<String, String> values;
  /** Command-line flags alone: the replay's filters are read only from here. */
  private final Map<String, String> flags;
  /** Every key asked for, so a test can tell a row of the table that no reader reads. */
  private final Set<ConfigKey> read = EnumSet.noneOf(ConfigKey.class);

  public ConfigSource(Map<String, String> values, Map<String, String> flags) {
    this.values = values;
    this.flags = flags;
  }

  /** Nothing set: every read gives the table's default. */
  static ConfigSource empty() {
    return new ConfigSource(Map.of(), Map.of());
  }

  /** The key's value, or null when unset (the table's default is not applied). */
  public String optional(ConfigKey key) {
    read.add(key);
    return optional(key.name());
  }

  /** The key's value, or the table's default. */
  public String text(ConfigKey key) {
    String value = optional(key);
    return value == null ? key.defaultValue() : value;
  }

  public boolean isSet(ConfigKey key) {
    return optional(key) != null;
  }

  /** Whether KEY_FILE was given, even blank: the key is meant to come from a file. */
  public boolean fromFile(ConfigKey key) {
    return values.containsKey(key.name() + ConfigKey.FILE_SUFFIX);
  }

  /** The file named by KEY_FILE, as given. */
  public String fileName(ConfigKey key) {
    return values.get(key.name() + ConfigKey.FILE_SUFFIX);
  }

  public int whole(ConfigKey key, int min, int max) {
    return (int) wholeLong(key, min, max);
  }

  public long wholeLong(ConfigKey key, long min, long max) {
    String value = text(key);
    return inRange(key.name(), value, parse(key.name(), value, Long::parseLong, "is not a whole number"), min, max);
  }

  /** A whole number, or null when the key is unset and has no default. */
  public Long optionalWhole(ConfigKey key, long min, long max) {
    return text(key) == null ? null : wholeLong(key, min, max);
  }

  public double decimal(ConfigKey key, double min, double max) {
    String value = text(key);
    double parsed = parse(key.name(), value, Double::parseDouble, "is not a number");
    if (Double.isNaN(parsed) || parsed < min || parsed > max) {
      throw new ConfigException(key.name(), value, "must be between " + plain(min) + " and " + plain(max));
    }
    return parsed;
  }

  /** A duration given in seconds (fractions allowed), in milliseconds. */
  public long millis(ConfigKey key, double minSeconds) {
    return Math.round(decimal(key, minSeconds, MAX_SECONDS) * 1000);
  }

  public int port(ConfigKey key) {
    String value = text(key);
    long parsed = parse(key.name(), value, Long::parseLong, "is not a port number");
    if (parsed < 1 || parsed > MAX_PORT) {
      throw new ConfigException(key.name(), value, "is out of range (1-" + MAX_PORT + ")");
    }
    return (int) parsed;
  }

  /** A port, or 0 when the key is 0 (the feature it opens is off). */
  public int portOrOff(ConfigKey key) {
    return "0".equals(optional(key)) ? 0 : port(key);
  }

  public boolean bool(ConfigKey key) {
    String value = text(key);
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new ConfigException(key.name(), value, "is not true or false");
    };
  }

  /** The enum value the key names ({@link ConfigName}); null when unset without a default. */
  public <E extends Enum<E>> E named(ConfigKey key, Class<E> type) {
    String value = text(key);
    return value == null ? null : ConfigName.parse(type, key.name(), value);
  }

  /** One of {@code allowed} (case-insensitive), as written there. */
  public String choice(ConfigKey key, String... allowed) {
    String value = text(key);
    for (String option : allowed) {
      if (option.equalsIgnoreCase(value)) {
        return option;
      }
    }
    throw new ConfigException(key.name(), value, "must be one of " + String.join(", ", allowed));
  }

  /** A file the key names, which must exist and be readable; null when the key is unset. */
  public Path readableFile(ConfigKey key) {
    return readableFile(key.name(), optional(key));
  }

  static Path readableFile(String key, String value) {
    if (value == null) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ConfigException(key, value, Files.exists(path) ? "is not a readable file" : "does not exist");
    }
    return path;
  }

  /** A replay filter: from the command line only, blank as unset. */
  public String flag(ConfigKey key) {
    read.add(key);
    String value = flags.get(key.name());
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** A flag that takes no value ({@code --dry-run}), or true/false. */
  public boolean switchFlag(ConfigKey key) {
    String value = flag(key);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new ConfigException(key.flagName(), value, "takes no value (or true/false)");
  }

  /** A whole number flag ({@code --limit=N}), or null when not given. */
  public Long flagNumber(ConfigKey key, long min, long max) {
    String value = flag(key);
    if (value == null) {
      return null;
    }
    return inRange(key.flagName(), value, parse(key.flagName(), value, Long::parseLong, "is not a whole number"),
        min, max);
  }

  /** The keys read so far. */
  Set<ConfigKey> keysRead() {
    return EnumSet.copyOf(read);
  }

  /** Every name given that starts with {@code prefix}, sorted: KAFKA_PROPERTY_* settings. */
  Set<String> namesStartingWith(String prefix) {
    Set<String> names = new TreeSet<>();
    values.keySet().stream().filter(name -> name.startsWith(prefix)).forEach(names::add);
    return names;
  }

  /**
   * A name's value, or the content of the file named by NAME_FILE (how container platforms hand over secrets;
   * one trailing line break is dropped). Setting both is refused as ambiguous.
   */
  String optional(String key) {
    String value = blankToNull(values.get(key));
    String file = blankToNull(values.get(key + ConfigKey.FILE_SUFFIX));
    if (file == null) {
      return value;
    }
    if (value != null) {
      throw new ConfigException(key + ConfigKey.FILE_SUFFIX, file, "is set together with " + key
          + ": set only one of them");
    }
    try {
      String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
          : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
      return blankToNull(content);
    } catch (IOException | InvalidPathException e) {
      throw new ConfigException(key + ConfigKey.FILE_SUFFIX, file, Files.exists(Path.of(file))
          ? "is not a readable file" : "does not exist");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** {@code parser} applied to the value; a value it cannot read is reported as {@code notReadable}. */
  private static <T> T parse(String key, String value, Function<String, T> parser, String notReadable) {
    try {
      return parser.apply(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, notReadable);
    }
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
}
