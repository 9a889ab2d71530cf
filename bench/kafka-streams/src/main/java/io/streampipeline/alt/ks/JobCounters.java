package io.streampipeline.alt.ks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the report counts, shared by the stream threads. Kept in memory, not in a state store: with
 * exactly_once_v2 a task that is retried or migrates processes its uncommitted records again, so these can
 * over-count in that case (the bench's runs have no failures, and records_read shows it: it would exceed
 * ALT_RECORDS).
 */
final class JobCounters {
  final AtomicLong recordsRead = new AtomicLong();
  final AtomicLong eventsStored = new AtomicLong();
  final AtomicLong deadLetters = new AtomicLong();
  final AtomicLong windowsEmitted = new AtomicLong();
  /** System.currentTimeMillis() of the first record processed; 0 until then. */
  final AtomicLong firstRecordMs = new AtomicLong();
  private final Path startedFile;

  JobCounters(Path startedFile) {
    this.startedFile = startedFile;
  }

  /** Called for every record read; the first one marks the start of the measured run. */
  void recordRead() {
    if (recordsRead.getAndIncrement() == 0 && firstRecordMs.compareAndSet(0, System.currentTimeMillis())) {
      if (startedFile != null) {
        try {
          Files.createFile(startedFile);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create ALT_STARTED_FILE " + startedFile, e);
        }
      }
    }
  }
}
