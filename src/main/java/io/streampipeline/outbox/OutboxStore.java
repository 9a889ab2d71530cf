package io.streampipeline.outbox;

import io.streampipeline.bus.WindowResult;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * Where the outbox waits: PostgreSQL ({@link PgOutboxStore}), or a fake in tests of {@link OutboxPublisher}.
 *
 * <p>A round takes the rows at the head of the queue and keeps them locked while {@code send} sends them, so that
 * several processes share the work and a checkpoint writing one of them again waits for the round. The rows
 * {@code send} settles leave the queue in the same transaction; the others stay for a later round.
 */
interface OutboxStore {

  /** Windows queued in aggregated_outbox, in queue order; the settled entries are dequeued. */
  Future<Round> publishWindows(int limit, Function<List<QueuedWindow>, Future<List<Settled<QueuedWindow>>>> send);

  /** Dead letters not yet published, oldest first; the settled ones are marked published. */
  Future<Round> publishDeadLetters(int limit,
      Function<List<PendingDeadLetter>, Future<List<Settled<PendingDeadLetter>>>> send);

  /** What waits, database-wide. */
  Future<Backlog> backlog();

  /**
   * A window's queue entry as read: {@code ownMessage} when it carries an AggregatedMetrics v2 message
   * ({@code payload}, single-object encoded) to send as it is; otherwise {@code version} is its window row's version
   * and {@code window} the row, both null when the row is gone.
   */
  record QueuedWindow(long seq, String windowId, String version, boolean ownMessage, byte[] payload,
      WindowResult window) {
  }

  /** A dead letter not yet published; {@code topicId} is null when its source topic's id was not known. */
  record PendingDeadLetter(long id, String topic, int partition, long offset, String topicId, String reason,
      String payload, String payloadEncoding, long failedAt) {
  }

  /** A row whose send is over: sent ({@code error} null), or never sendable for that reason. */
  record Settled<R>(R row, String error) {
  }

  /** One round's rows: how many were selected, and how many of them are left for a later round. */
  record Round(int selected, int left) {
    static final Round NONE = new Round(0, 0);

    Round plus(Round other) {
      return new Round(selected + other.selected, left + other.left);
    }
  }

  /** How many rows wait for each topic and how long the oldest has waited, in seconds (0 when none). */
  record Backlog(long windowsPending, double windowsOldest, long deadLettersPending, double deadLettersOldest) {
  }
}
