package io.streampipeline.config;

/**
 * Operations settings: schema migrations, retention and log format.
 *
 * @param postgresMigrate POSTGRES_MIGRATE: {@code true} applies pending schema migrations at start; {@code false}
 *     only checks that the database is current, so the pipeline can run as a user without DDL rights;
 *     {@code only} applies them and exits (a one-off job run as the schema's owner)
 * @param logFormat LOG_FORMAT: {@code text} or {@code json} (one JSON object per line)
 * @param retentionDaysEvents RETENTION_DAYS_EVENTS: events whose event time and stored time are both older than
 *     this are deleted; 0 keeps them
 * @param retentionDaysDlq RETENTION_DAYS_DLQ: published dead letters older than this are deleted; 0 keeps them
 * @param retentionDaysWindows RETENTION_DAYS_WINDOWS: published aggregated_metrics rows (not queued in
 *     aggregated_outbox) older than this are deleted; 0 keeps them
 * @param retentionIntervalMs RETENTION_INTERVAL_SECONDS: how often the pruning runs
 */
public record OpsConfig(Migrate postgresMigrate, String logFormat, int retentionDaysEvents, int retentionDaysDlq,
    int retentionDaysWindows, long retentionIntervalMs) {

  /** The values of POSTGRES_MIGRATE. */
  public enum Migrate {
    /** {@code true}. */
    APPLY,
    /** {@code false}. */
    CHECK,
    /** {@code only}. */
    ONLY
  }

  public static final String LOG_TEXT = "text";
  public static final String LOG_JSON = "json";

  /** The key table's defaults. */
  public static OpsConfig defaults() {
    return OpsReader.read(ConfigSource.empty());
  }
}
