package io.streampipeline.app;

/**
 * Operations settings: schema migrations, retention and log format.
 *
 * @param postgresMigrate POSTGRES_MIGRATE: apply pending schema migrations at start (false: only check that the
 *     database is current, so the pipeline can run as a user without DDL rights)
 * @param logFormat LOG_FORMAT: {@code text} or {@code json} (one JSON object per line)
 * @param retentionDaysDlq RETENTION_DAYS_DLQ: published dead letters older than this are deleted; 0 keeps them
 * @param retentionDaysWindows RETENTION_DAYS_WINDOWS: published aggregated_metrics rows older than this are
 *     deleted; 0 keeps them
 * @param retentionIntervalMs RETENTION_INTERVAL_SECONDS: how often the pruning runs
 */
public record OpsConfig(boolean postgresMigrate, String logFormat, int retentionDaysDlq, int retentionDaysWindows,
    long retentionIntervalMs) {

  public static final String LOG_TEXT = "text";
  public static final String LOG_JSON = "json";

  public static OpsConfig defaults() {
    return new OpsConfig(true, LOG_TEXT, 30, 0, 3_600_000);
  }
}
