package io.streampipeline.flinkbench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The moment the first record is processed: the bench starts measuring CPU when the file appears, and the
 * throughput counts from the time kept here. Static on purpose: the MiniCluster runs every task in this JVM
 * with the application's class loader, so the source readers and the main method see the same value.
 */
final class StartSignal {
  private static final AtomicLong FIRST_RECORD_MS = new AtomicLong();
  private static volatile Path file;

  private StartSignal() {
  }

  static void fileAt(Path startedFile) {
    file = startedFile;
  }

  /** Called per record; only the first call in the JVM does anything. */
  static void recordProcessed() {
    if (FIRST_RECORD_MS.get() != 0) {
      return;
    }
    if (FIRST_RECORD_MS.compareAndSet(0, System.currentTimeMillis()) && file != null) {
      try {
        Files.createFile(file);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // a task restarted after a failure: the run started already
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the started file " + file, e);
      }
    }
  }

  /** 0 until the first record. */
  static long firstRecordMs() {
    return FIRST_RECORD_MS.get();
  }
}
