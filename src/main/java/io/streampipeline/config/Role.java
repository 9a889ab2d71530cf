package io.streampipeline.config;

/**
 * What a process does; chosen with ROLES or --roles (comma separated). {@code replay-dlq} is a one-shot
 * command that runs alone (replay.ReplayCommand).
 */
public enum Role {
  GENERATOR, PIPELINE, DASHBOARD, BENCH, REPLAY_DLQ;

  /** The name as written in ROLES: lower case, with '-' (replay-dlq). */
  public String flagName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
