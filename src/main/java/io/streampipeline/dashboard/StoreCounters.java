package io.streampipeline.dashboard;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

/**
 * Rows stored in PostgreSQL, whichever process wrote them: events in clickstream_events and dead letters
 * in dead_letter_events. Counting a big table costs a scan, so the caller asks again only after
 * {@link #nextDelayMs()}: at least {@value #MIN_INTERVAL_MS} ms, and fifty times what the last count took
 * (counting never keeps a backend busier than about 2%). Not thread-safe.
 */
final class StoreCounters {
  static final long MIN_INTERVAL_MS = 2_000;
  static final long DEAD_LETTER_SPAN_MS = 60_000;
  private static final String COUNT = "SELECT (SELECT count(*) FROM clickstream_events) AS events, "
      + "(SELECT count(*) FROM dead_letter_events) AS dead_letters";

  private final Pool pool;
  private final RateMeter deadLetterRate = new RateMeter(DEAD_LETTER_SPAN_MS);
  private Long events;
  private Long deadLetters;
  private long countedAt;
  private long lastTookMs;

  StoreCounters(Pool pool) {
    this.pool = pool;
  }

  Future<Void> refresh() {
    long started = System.currentTimeMillis();
    return pool.query(COUNT).execute().map(rows -> {
      Row row = rows.iterator().next();
      long now = System.currentTimeMillis();
      events = row.getLong("events");
      deadLetters = row.getLong("dead_letters");
      countedAt = now;
      lastTookMs = now - started;
      deadLetterRate.record(now, deadLetters);
      return null;
    });
  }

  long nextDelayMs() {
    return Math.max(MIN_INTERVAL_MS, 50 * lastTookMs);
  }

  /** Rows in clickstream_events at {@link #countedAt()}, or null before the first count. */
  Long events() {
    return events;
  }

  Long deadLetters() {
    return deadLetters;
  }

  long countedAt() {
    return countedAt;
  }

  Double deadLettersPerSecond() {
    return deadLetterRate.perSecond();
  }
}
