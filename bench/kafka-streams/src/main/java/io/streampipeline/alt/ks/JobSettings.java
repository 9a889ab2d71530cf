package io.streampipeline.alt.ks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the bench hands the job in its environment (the alternative-job protocol). Read once at start; a missing
 * variable is a failure the bench must see, so it throws with the variable's name.
 */
record JobSettings(
    String bootstrapServers,
    String topic,
    long records,
    String group,
    String outputTopic,
    int parallelism,
    Path workDir,
    Path startedFile,
    Path reportFile,
    Duration window,
    Duration revenueWindow,
    Duration sessionTimeout,
    Duration allowedLateness) {

  static JobSettings fromEnvironment(Map<String, String> env) {
    return new JobSettings(
        required(env, "ALT_BOOTSTRAP_SERVERS"),
        required(env, "ALT_TOPIC"),
        Long.parseLong(required(env, "ALT_RECORDS")),
        required(env, "ALT_GROUP"),
        required(env, "ALT_OUTPUT_TOPIC"),
        Integer.parseInt(env.getOrDefault("ALT_PARALLELISM", "1")),
        Path.of(required(env, "ALT_WORK_DIR")),
        Path.of(required(env, "ALT_STARTED_FILE")),
        Path.of(required(env, "ALT_REPORT")),
        seconds(env, "ALT_WINDOW_SECONDS", 60),
        seconds(env, "ALT_REVENUE_WINDOW_SECONDS", 300),
        seconds(env, "ALT_SESSION_TIMEOUT_SECONDS", 1800),
        seconds(env, "ALT_ALLOWED_LATENESS_SECONDS", 10));
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is not set");
    }
    return value;
  }

  private static Duration seconds(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    return Duration.ofSeconds(value == null || value.isBlank() ? fallback : Long.parseLong(value));
  }
}
