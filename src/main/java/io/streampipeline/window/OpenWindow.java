package io.streampipeline.window;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One open tumbling window [start, end) of one partition. */
final class OpenWindow extends Aggregate {
  final WindowType type;
  final long start;
  final long end;
  final Set<String> users = new HashSet<>();
  /** Counted in since the last state write: its aggregate goes into the next delta. */
  boolean dirty;
  /** Part of the stored state: a delta then carries only the users added since ({@link #newUsers}). */
  boolean persisted;
  /** Users added since the last state write, in order; null when none (or while not persisted). */
  List<String> newUsers;

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
