package io.streampipeline.config;

/**
 * What {@code --roles=replay-dlq} replays, from its command-line flags only (an environment variable named
 * LIMIT or SINCE must not change what a replay sends). Times are epoch milliseconds compared with failed_at:
 * since inclusive, until exclusive. Null means "no filter".
 *
 * @param reasonContains {@code --reason}: error_reason contains this text (case-insensitive)
 * @param sinceMs {@code --since}: failed at or after
 * @param untilMs {@code --until}: failed before
 * @param partition {@code --partition}: source partition
 * @param limit {@code --limit}: at most this many dead letters; {@link #NO_LIMIT} when unset
 * @param dryRun {@code --dry-run}: count by reason, send nothing, mark nothing
 * @param toTopic {@code --to-topic}: where to send; null means the input topic (KAFKA_CLICKSTREAM_TOPIC)
 * @param again {@code --again}: also dead letters replayed before
 */
public record ReplayOptions(String reasonContains, Long sinceMs, Long untilMs, Integer partition, long limit,
    boolean dryRun, String toTopic, boolean again) {

  public static final long NO_LIMIT = -1;

  public static ReplayOptions all() {
    return new ReplayOptions(null, null, null, null, NO_LIMIT, false, null, false);
  }
}
