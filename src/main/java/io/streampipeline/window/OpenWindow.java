package io.streampipeline.window;

import io.streampipeline.bus.WindowType;

/**
 * One open tumbling window [start, end) of one partition. Its stored fields are described in {@link WindowFields};
 * what changed since the last state write is recorded apart, in {@code window.state.WindowChanges}.
 */
public final class OpenWindow extends Aggregate {
  final WindowType type;
  final long start;
  final long end;
  /** Distinct users, numbered in the order they came. */
  final NumberedStrings users = new NumberedStrings();

  public OpenWindow(WindowType type, long start, long end) {
    this.type = type;
    this.start = start;
    this.end = end;
  }

  public WindowType type() {
    return type;
  }

  public long start() {
    return start;
  }

  public long end() {
    return end;
  }

  public NumberedStrings users() {
    return users;
  }

  @Override
  int tallyCapacity() {
    return 64;
  }
}
