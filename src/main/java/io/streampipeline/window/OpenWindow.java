package io.streampipeline.window;

import io.streampipeline.bus.WindowType;

/** One open tumbling window [start, end) of one partition. */
final class OpenWindow extends Aggregate {
  final WindowType type;
  final long start;
  final long end;
  /** Distinct users, numbered in the order they came. */
  final NumberedStrings users = new NumberedStrings();
  /** Counted in since the last state write: its aggregate goes into the next delta. */
  boolean dirty;
  /** Part of the stored state: a delta then carries only the users added since ({@link #storedUsers}). */
  boolean persisted;
  /** How many of {@link #users} the stored state holds: those numbered from here on are new since. */
  int storedUsers;

  OpenWindow(WindowType type, long start, long end) {
    this.type = type;
    this.start = start;
    this.end = end;
  }

  @Override
  int tallyCapacity() {
    return 64;
  }
}
