package io.streampipeline.app;

/** What a process does; chosen with ROLES or --roles (comma separated). */
public enum Role {
  GENERATOR, PIPELINE, DASHBOARD, BENCH
}
