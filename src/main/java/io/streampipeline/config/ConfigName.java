package io.streampipeline.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an enum value is written in the configuration: lower case, '_' becomes '-' ({@code REPLAY_DLQ} is
 * {@code replay-dlq}, {@code VERIFY_FULL} is {@code verify-full}). The one conversion both ways for every enum a
 * key names.
 */
public final class ConfigName {
  private ConfigName() {
  }

  public static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The value {@code text} names (case-insensitive, '_' read as '-', blanks around ignored), or null. */
  public static <E extends Enum<E>> E find(Class<E> type, String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (E value : type.getEnumConstants()) {
      if (of(value).equals(wanted)) {
        return value;
      }
    }
    return null;
  }

  /** The value {@code text} names; a {@link ConfigException} naming the key and the choices otherwise. */
  public static <E extends Enum<E>> E parse(Class<E> type, String key, String text) {
    E value = find(type, text);
    if (value == null) {
      throw new ConfigException(key, text, "must be one of " + choices(type));
    }
    return value;
  }

  /** {@code a, b, c}: every value as written in the configuration. */
  public static String choices(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigName::of).collect(Collectors.joining(", "));
  }
}
