package io.streampipeline.ingest;

import java.util.Set;

/** A lane's periodic INFO line: what it consumed and stored since the last one, what is in flight, what it owns. */
final class LaneStats {
  private static final long PERIOD_MS = 10_000;

  private final LaneLog log;
  private long lastAt;
  private long consumed;
  private long stored;

  LaneStats(LaneLog log, long now) {
    this.log = log;
    this.lastAt = now;
  }

  /** Records taken from a poll, and how many of them became stored events. */
  void counted(long consumedRecords, long storedEvents) {
    consumed += consumedRecords;
    stored += storedEvents;
  }

  /** Logs the line when a period has passed since the last one. */
  void maybeLog(long now, long inFlightEvents, Set<Integer> owned, boolean paused) {
    if (now - lastAt < PERIOD_MS) {
      return;
    }
    double seconds = (now - lastAt) / 1000.0;
    log.info("consumed {} ({}/s), stored {}, in flight {}, partitions {}{}", consumed, Math.round(consumed / seconds),
        stored, inFlightEvents, owned, paused ? ", PAUSED" : "");
    lastAt = now;
    consumed = 0;
    stored = 0;
  }
}
