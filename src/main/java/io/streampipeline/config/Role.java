package io.streampipeline.config;

/**
 * What a process does; chosen with ROLES or --roles (comma separated), each written as {@link ConfigName}
 * writes it (replay-dlq). {@code replay-dlq} is a one-shot
 * command that runs alone (replay.ReplayCommand).
 */
public enum Role {
  GENERATOR, PIPELINE, DASHBOARD, BENCH, REPLAY_DLQ;
}
