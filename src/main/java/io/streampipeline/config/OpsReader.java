package io.streampipeline.config;

/** POSTGRES_MIGRATE, LOG_FORMAT and retention. */
final class OpsReader {
  private OpsReader() {
  }

  static OpsConfig read(ConfigSource in) {
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
}
