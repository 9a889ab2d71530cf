package io.streampipeline.outbox;

import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.outbox.OutboxStore.PendingDeadLetter;
import io.streampipeline.outbox.OutboxStore.QueuedWindow;
import io.streampipeline.outbox.OutboxStore.Round;
import io.streampipeline.outbox.OutboxStore.Settled;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.sink.DeadLetterRows;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what the outbox sends, settles and retries: the closed windows queued in the outbox go to the aggregated
 * topic (AggregatedMetrics, single-object encoding or registry-framed, key window_id) in queue order and leave the
 * queue; unpublished dead letters go to the dead-letter topic (JSON envelope, key topic:partition:offset) and are
 * marked published. A crash between send and settle sends them again (at least once).
 *
 * <p>Each row is settled on its own: a row whose send failed for a reason that passes (broker away, timeout) stays
 * queued and is tried again on a later round; a row whose message Kafka refuses for good (too large, invalid) leaves
 * the queue with the reason in publish_error, counted and logged once, so it cannot hold back the rows behind it.
 * Dead letters are capped on the topic (see {@link DeadLetterRows#MAX_ENVELOPE_BYTES}).
 *
 * <p>Rounds never overlap: a round asked for while one runs follows it. A full round is followed at once by the next;
 * a round that left rows unsent is not, since the broker that refused them needs the time until the next tick.
 */
final class OutboxPublisher {
  private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);
  /** Rows per round; each round waits for its slowest send, so larger rounds drain a long queue faster. */
  static final int BATCH = 2000;

  /** Sends one message to Kafka. */
  interface Sender {
    Future<?> send(String topic, String key, byte[] value);
  }

  private final OutboxStore store;
  private final Sender sender;
  private final Supplier<Future<Integer>> aggregatedSchemaId;
  private final String aggregatedTopic;
  private final String dlqTopic;
  private final PipelineMetrics metrics;
  private final AggregatedCodec aggregatedCodec = new AggregatedCodec();
  private boolean running;
  private boolean again;
  private boolean stopped;

  /**
   * @param aggregatedSchemaId the registry's id of AggregatedMetrics v2 when windows go out registry-framed (a
   *     failed future while the registry has not answered: windows then wait in the outbox), null for single-object
   *     encoding
   */
  OutboxPublisher(OutboxStore store, Sender sender, Supplier<Future<Integer>> aggregatedSchemaId,
      String aggregatedTopic, String dlqTopic, PipelineMetrics metrics) {
    this.store = store;
    this.sender = sender;
    this.aggregatedSchemaId = aggregatedSchemaId;
    this.aggregatedTopic = aggregatedTopic;
    this.dlqTopic = dlqTopic;
    this.metrics = metrics;
  }

  /** Runs a round now, or right after the one running. */
  void publish() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Round> windows = aggregatedSchemaId.get().compose(id -> store.publishWindows(BATCH,
        entries -> sendWindows(entries, id)));
    Future<Round> deadLetters = windows.transform(ignored -> store.publishDeadLetters(BATCH, this::sendDeadLetters));
    Future.join(windows, deadLetters).onComplete((all, err) -> {
      running = false;
      Round round = (windows.succeeded() ? windows.result() : Round.NONE)
          .plus(deadLetters.succeeded() ? deadLetters.result() : Round.NONE);
      if (err != null) {
        log.warn("outbox: publishing failed ({}); will retry", err.toString());
      } else if (round.left() == 0 && (round.selected() >= BATCH || again)) {
        publish();
      }
    });
  }

  /** No round starts after this. */
  void stop() {
    stopped = true;
  }

  private Future<List<Settled<QueuedWindow>>> sendWindows(List<QueuedWindow> entries, Integer schemaId) {
    List<Future<?>> sends = new ArrayList<>(entries.size());
    List<String> keys = new ArrayList<>(entries.size());
    for (QueuedWindow entry : entries) {
      keys.add(entry.windowId());
      byte[] value = message(entry, schemaId);
      // An entry whose row is gone has nothing to send: it leaves the queue.
      sends.add(value == null ? Future.succeededFuture() : sender.send(aggregatedTopic, entry.windowId(), value));
    }
    return settle(aggregatedTopic, entries, keys, sends);
  }

  /**
   * What to send for an entry: its own message (registry-framed when windows go out so), or one encoded from its
   * window row; null when it has neither (the row is gone).
   */
  private byte[] message(QueuedWindow entry, Integer schemaId) {
    if (entry.ownMessage()) {
      return schemaId == null ? entry.payload() : RegistryFraming.fromSingleObject(entry.payload(), schemaId);
    }
    if (entry.version() == null) {
      return null;
    }
    return schemaId == null ? aggregatedCodec.encode(entry.window())
        : aggregatedCodec.encodeRegistry(entry.window(), schemaId);
  }

  private Future<List<Settled<PendingDeadLetter>>> sendDeadLetters(List<PendingDeadLetter> rows) {
    List<Future<?>> sends = new ArrayList<>(rows.size());
    List<String> keys = new ArrayList<>(rows.size());
    for (PendingDeadLetter row : rows) {
      byte[] json = DeadLetterRows.envelopeJson(row.payload(), row.payloadEncoding(), row.reason(), row.topic(),
          row.topicId(), row.partition(), row.offset(), row.failedAt());
      String key = DeadLetterRows.key(row.topic(), row.partition(), row.offset());
      keys.add(key);
      sends.add(sender.send(dlqTopic, key, json));
    }
    return settle(dlqTopic, rows, keys, sends);
  }

  /**
   * Waits for every send, then decides per row: settled (sent, or never sendable) or left for a later round. An
   * unsendable row is counted and logged here, once: settled with its reason, it is not selected again.
   */
  private <R> Future<List<Settled<R>>> settle(String topic, List<R> rows, List<String> keys, List<Future<?>> sends) {
    return Future.join(sends).transform(joined -> {
      List<Settled<R>> settled = new ArrayList<>(sends.size());
      int left = 0;
      Throwable firstLeft = null;
      for (int i = 0; i < sends.size(); i++) {
        Future<?> send = sends.get(i);
        if (send.succeeded()) {
          settled.add(new Settled<>(rows.get(i), null));
          continue;
        }
        String unsendable = PublishFailures.unsendableReason(send.cause());
        if (unsendable == null) {
          left++;
          firstLeft = firstLeft == null ? send.cause() : firstLeft;
          continue;
        }
        settled.add(new Settled<>(rows.get(i), unsendable));
        metrics.outboxUnsendable(topic);
        log.error("outbox: the message with key {} can never be sent to {} ({}); it leaves the outbox with this "
            + "publish_error and its row keeps all its data", keys.get(i), topic, unsendable);
      }
      if (left > 0) {
        log.warn("outbox: {} of {} messages to {} not sent ({}); will retry them", left, sends.size(), topic,
            firstLeft.toString());
      }
      return Future.succeededFuture(settled);
    });
  }
}
