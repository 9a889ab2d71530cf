package io.streampipeline.alt.ks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the report needs that is not in a state store: when the first record was processed (it also creates
 * ALT_STARTED_FILE), and the window rows emitted. The latter is counted in memory: with exactly_once_v2 a task
 * retried after a failure emits its uncommitted rows again (the aborted ones are never read), so it can
 * over-count then. The exact counts of records are in {@link RecordCounts}.
 */
final class JobCounters {
  final AtomicLong windowsEmitted = new AtomicLong();
  /** System.currentTimeMillis() of the first record processed; 0 until then. */
  final AtomicLong firstRecordMs = new AtomicLong();
  private final Path startedFile;

  JobCounters(Path startedFile) {
    this.startedFile = startedFile;
  }

  /** Called for every record read; the first one marks the start of the measured run. */
  void recordRead() {
    if (firstRecordMs.get() == 0 && firstRecordMs.compareAndSet(0, System.currentTimeMillis())
        && startedFile != null) {
      try {
        Files.createFile(startedFile);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create ALT_STARTED_FILE " + startedFile, e);
      }
    }
  }
}
