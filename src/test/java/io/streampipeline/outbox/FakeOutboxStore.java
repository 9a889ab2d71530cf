package io.streampipeline.outbox;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An in-memory outbox: the queued windows and the unpublished dead letters in order, what left the queue with which
 * publish_error, and faults on request (a failing store, a round held open until released).
 */
final class FakeOutboxStore implements OutboxStore {
  final List<QueuedWindow> windows = new ArrayList<>();
  final List<PendingDeadLetter> deadLetters = new ArrayList<>();
  /** Rows that left the outbox, by window id or dead-letter id, with their publish_error (null when sent). */
  final Map<Object, String> settled = new HashMap<>();
  int windowRounds;
  int deadLetterRounds;
  Throwable failure;
  Backlog backlog = new Backlog(0, 0, 0, 0);
  /** When set, the next window round waits for it before it reads. */
  Promise<Void> holdNextRound;

  @Override
  public Future<Round> publishWindows(int limit,
      Function<List<QueuedWindow>, Future<List<Settled<QueuedWindow>>>> send) {
    windowRounds++;
    Future<Void> gate = holdNextRound == null ? Future.succeededFuture() : holdNextRound.future();
    holdNextRound = null;
    return gate.compose(v -> round(windows, limit, send, QueuedWindow::windowId));
  }

  @Override
  public Future<Round> publishDeadLetters(int limit,
      Function<List<PendingDeadLetter>, Future<List<Settled<PendingDeadLetter>>>> send) {
    deadLetterRounds++;
    return round(deadLetters, limit, send, PendingDeadLetter::id);
  }

  @Override
  public Future<Backlog> backlog() {
    return failure != null ? Future.failedFuture(failure) : Future.succeededFuture(backlog);
  }

  private <R> Future<Round> round(List<R> queue, int limit, Function<List<R>, Future<List<Settled<R>>>> send,
      Function<R, Object> id) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    List<R> head = List.copyOf(queue.subList(0, Math.min(limit, queue.size())));
    if (head.isEmpty()) {
      return Future.succeededFuture(Round.NONE);
    }
    return send.apply(head).map(done -> {
      for (Settled<R> s : done) {
        queue.remove(s.row());
        settled.put(id.apply(s.row()), s.error());
      }
      return new Round(head.size(), head.size() - done.size());
    });
  }
}
