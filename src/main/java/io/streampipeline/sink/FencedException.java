package io.streampipeline.sink;

import java.util.Set;

/** The compare-and-set on the stored offsets failed for these partitions: someone else owns them now. */
final class FencedException extends RuntimeException {
  private final Set<Integer> partitions;

  FencedException(Set<Integer> partitions) {
    super("checkpoint fenced for partitions " + partitions, null, false, false);
    this.partitions = partitions;
  }

  Set<Integer> partitions() {
    return partitions;
  }
}
