package io.streampipeline.sink;

/**
 * What the sink does after a checkpoint transaction failed. Pure decisions, so they can be read and tested
 * apart from the SQL and the event loop.
 *
 * <ul>
 *   <li>{@link Failure#FENCED}: the refused partitions are dropped (the runner does that) and the rest is
 *       written again at once, in the same mode.</li>
 *   <li>{@link Failure#DUPLICATE_KEY} in plain mode: the batch repeats an event_id already stored (a producer
 *       retry), or a window already stored (rows and window state parted, SinkSql#INSERT_WINDOWS), so it is
 *       written again skipping duplicate events and upserting windows. Plain INSERT comes first because
 *       ON CONFLICT costs PostgreSQL more CPU per row (docs/performance.md), and with offsets and window state
 *       stored in the same transaction a row can only exist already if the stream repeats an event_id or what was
 *       stored changed under the pipeline.</li>
 *   <li>{@link Failure#BAD_DATA} (or a duplicate key in another mode): the rows PostgreSQL refuses are isolated
 *       and go to the DLQ, the others are written.</li>
 *   <li>{@link Failure#UNAVAILABLE} (or bad data that isolating did not cure): the same transaction again after
 *       a capped exponential backoff, for as long as it takes.</li>
 * </ul>
 */
final class SinkPolicy {
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 10_000;

  /** How events are inserted. */
  enum WriteMode {
    PLAIN, SKIP_DUPLICATES, ISOLATE_BAD_ROWS
  }

  /** Why a transaction failed, as far as the decision goes. */
  enum Failure {
    FENCED, DUPLICATE_KEY, BAD_DATA, UNAVAILABLE
  }

  /** Try again in {@code mode} after {@code delayMs}; {@code failures} is the count of outage retries so far. */
  record Retry(WriteMode mode, long delayMs, int failures) {
  }

  private SinkPolicy() {
  }

  static Retry afterFailure(Failure failure, WriteMode mode, int failures) {
    return switch (failure) {
      case FENCED -> new Retry(mode, 0, failures);
      case DUPLICATE_KEY -> mode == WriteMode.PLAIN ? new Retry(WriteMode.SKIP_DUPLICATES, 0, failures)
          : afterFailure(Failure.BAD_DATA, mode, failures);
      case BAD_DATA -> mode != WriteMode.ISOLATE_BAD_ROWS ? new Retry(WriteMode.ISOLATE_BAD_ROWS, 0, failures)
          : afterFailure(Failure.UNAVAILABLE, mode, failures);
      case UNAVAILABLE -> new Retry(mode, backoffMs(failures), failures + 1);
    };
  }

  /** 100 ms, doubling per failure, at most 10 s. */
  static long backoffMs(int failures) {
    return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures, 10));
  }
}
