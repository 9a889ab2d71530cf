package io.streampipeline.flinkbench;

import java.util.Map;

/**
 * What the bench hands the job, all through environment variables (the alternative-job protocol). Read once, in
 * the main method: the Flink functions get the few values they need as constructor arguments, so nothing reads the
 * environment inside a task.
 */
record JobSettings(
    String bootstrapServers,
    String topic,
    long records,
    String group,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    int parallelism,
    String workDir,
    String startedFile,
    String reportFile,
    long windowMs,
    long revenueWindowMs,
    long sessionTimeoutMs,
    long allowedLatenessMs) {

  static JobSettings fromEnvironment(Map<String, String> env) {
    return new JobSettings(
        required(env, "ALT_BOOTSTRAP_SERVERS"),
        required(env, "ALT_TOPIC"),
        Long.parseLong(required(env, "ALT_RECORDS")),
        required(env, "ALT_GROUP"),
        required(env, "ALT_JDBC_URL"),
        required(env, "ALT_JDBC_USER"),
        env.getOrDefault("ALT_JDBC_PASSWORD", ""),
        Integer.parseInt(env.getOrDefault("ALT_PARALLELISM", "1")),
        required(env, "ALT_WORK_DIR"),
        required(env, "ALT_STARTED_FILE"),
        required(env, "ALT_REPORT"),
        seconds(env, "ALT_WINDOW_SECONDS", 60),
        seconds(env, "ALT_REVENUE_WINDOW_SECONDS", 300),
        seconds(env, "ALT_SESSION_TIMEOUT_SECONDS", 1800),
        seconds(env, "ALT_ALLOWED_LATENESS_SECONDS", 10));
  }

  WindowSpec windows() {
    return new WindowSpec(windowMs, revenueWindowMs, sessionTimeoutMs, allowedLatenessMs);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is not set");
    }
    return value;
  }

  private static long seconds(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    return (value == null || value.isBlank() ? fallback : Long.parseLong(value.trim())) * 1000L;
  }
}
