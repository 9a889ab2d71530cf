package io.streampipeline.config;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** ISO-8601 times of --since / --until, as epoch milliseconds; without an offset they are UTC. */
public final class ReplayTimes {
  private ReplayTimes() {
  }

  /** @return null for null; throws {@link ConfigException} naming the flag for anything unreadable */
  public static Long parse(String flag, String value) {
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant().toEpochMilli();
    } catch (DateTimeParseException notWithOffset) {
      // try the forms without an offset
    }
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException notInstant) {
      // next
    }
    try {
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException notLocal) {
      // next
    }
    try {
      return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException notDate) {
      throw new ConfigException(flag, value, "is not an ISO-8601 time (e.g. 2026-11-30T09:00:00Z, "
          + "2026-11-30T10:00:00+01:00 or 2026-11-30; without an offset it is UTC)");
    }
  }
}
