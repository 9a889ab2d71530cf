package io.streampipeline.config;

/** The flags of {@code --roles=replay-dlq}, from the command line only. */
final class ReplayReader {
  private ReplayReader() {
  }

  static ReplayOptions read(ConfigSource in) {
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
}
