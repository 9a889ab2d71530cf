package io.streampipeline.window;

import java.util.HashSet;
import java.util.Set;

/** One open tumbling window [start, end) of one partition. */
final class OpenWindow extends Aggregate {
  final WindowType type;
  final long start;
  final long end;
  final Set<String> users = new HashSet<>();

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
