package io.streampipeline.bench;

/**
 * The replay's start: the first record processed by any pipeline process, the in-process one or a child (their
 * System.nanoTime() is CLOCK_MONOTONIC on Linux, one clock for all processes). Settled on first use, once every
 * process has reported.
 */
final class EarliestFirstPoll implements ReplayRun.Start {
  private final FirstPoll inProcess;
  private final PipelineJvms children;
  private long at = -2;
  private boolean exact;

  /** {@code inProcess} is null when the bench runs no pipeline of its own. */
  EarliestFirstPoll(FirstPoll inProcess, PipelineJvms children) {
    this.inProcess = inProcess;
    this.children = children;
  }

  private void settle() {
    if (at != -2) {
      return;
    }
    at = inProcess == null ? -1 : inProcess.atNanos();
    exact = inProcess != null && inProcess.exact();
    long child = children.firstPollNanos();
    if (child > 0 && (at <= 0 || child < at)) {
      at = child;
      exact = true;
    }
  }

  @Override
  public long atNanos() {
    settle();
    return at;
  }

  @Override
  public boolean exact() {
    settle();
    return exact;
  }
}
