package io.streampipeline.outbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.outbox.OutboxStore.PendingDeadLetter;
import io.streampipeline.outbox.OutboxStore.QueuedWindow;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.sink.DeadLetterRows;
import io.streampipeline.window.AggregatedCodec;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** What the outbox sends, settles and retries, against an in-memory store and a fake Kafka. */
class OutboxPublisherTest {
  private static final String WINDOWS = "clickstream.aggregated";
  private static final String DLQ = "clickstream.dlq";
  private static final AggregatedCodec CODEC = new AggregatedCodec();

  private final FakeOutboxStore store = new FakeOutboxStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Messages sent, as topic/key. */
  private final List<String> sent = new ArrayList<>();
  private final Map<String, byte[]> values = new HashMap<>();
  /** Keys whose send fails, with the failure. */
  private final Map<String, Throwable> failing = new HashMap<>();
  private Future<Integer> schemaId = Future.succeededFuture(null);

  private final OutboxPublisher publisher = new OutboxPublisher(store, (topic, key, value) -> {
    if (failing.containsKey(key)) {
      return Future.failedFuture(failing.get(key));
    }
    sent.add(topic + "/" + key);
    values.put(key, value);
    return Future.succeededFuture();
  }, () -> schemaId, WINDOWS, DLQ, new PipelineMetrics(registry));

  private static WindowResult window(String id, long events) {
    return new WindowResult(id, WindowType.EVENTS_PER_MINUTE, 60_000, 120_000, 1, null, null, events, 1, events,
        0, 0, 0, List.of(), List.of(), new String[0], new long[0], new String[0], new long[0], 7);
  }

  private static long seq;

  /** An entry carrying its window's message. */
  private static QueuedWindow withMessage(String id, long events) {
    return new QueuedWindow(++seq, id, null, true, CODEC.encode(window(id, events)), null);
  }

  /** An entry sent from its window row, read at version {@code "v1"}. */
  private static QueuedWindow fromRow(String id, long events) {
    return new QueuedWindow(++seq, id, "v1", false, null, window(id, events));
  }

  private static PendingDeadLetter deadLetter(long id) {
    return new PendingDeadLetter(id, "clickstream.events", 2, 100 + id, null, "bad json", "{", "utf8", 1_000);
  }

  private double unsendable(String topic) {
    Counter counter = registry.find("stream_pipeline_outbox_unsendable").tag("topic", topic).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void windowsGoOutInQueueOrderKeyedByWindowIdThenDeadLettersAndAllLeaveTheOutbox() throws Exception {
    store.windows.add(withMessage("w-1", 1));
    store.windows.add(fromRow("w-2", 2));
    store.deadLetters.add(deadLetter(7));

    publisher.publish();

    assertEquals(List.of(WINDOWS + "/w-1", WINDOWS + "/w-2", DLQ + "/clickstream.events:2:107"), sent);
    assertEquals(1L, CODEC.decode(values.get("w-1")).eventCount(), "the entry's own message");
    assertEquals(2L, CODEC.decode(values.get("w-2")).eventCount(), "encoded from the window row");
    assertArrayEquals(DeadLetterRows.envelopeJson("{", "utf8", "bad json", "clickstream.events", null, 2, 107, 1_000),
        values.get("clickstream.events:2:107"));
    assertTrue(store.windows.isEmpty());
    assertTrue(store.deadLetters.isEmpty());
    assertEquals(3, store.settled.size());
    assertTrue(store.settled.values().stream().allMatch(error -> error == null));
  }

  @Test
  void anEntryWhoseWindowRowIsGoneLeavesTheQueueUnsent() {
    store.windows.add(new QueuedWindow(++seq, "gone", null, false, null, null));

    publisher.publish();

    assertEquals(List.of(), sent);
    assertTrue(store.settled.containsKey("gone"));
    assertNull(store.settled.get("gone"));
  }

  @Test
  void withARegistryWindowsGoOutRegistryFramedWithItsId() throws Exception {
    schemaId = Future.succeededFuture(42);
    QueuedWindow own = withMessage("w-1", 1);
    store.windows.add(own);
    store.windows.add(fromRow("w-2", 2));

    publisher.publish();

    assertArrayEquals(RegistryFraming.fromSingleObject(own.payload(), 42), values.get("w-1"));
    assertEquals(42, RegistryFraming.schemaId(values.get("w-2")));
    assertArrayEquals(CODEC.encodeRegistry(window("w-2", 2), 42), values.get("w-2"));
  }

  @Test
  void untilTheRegistryAnswersWindowsWaitButDeadLettersGoOut() {
    schemaId = Future.failedFuture(new IllegalStateException("registry away"));
    store.windows.add(withMessage("w-1", 1));
    store.deadLetters.add(deadLetter(1));

    publisher.publish();

    assertEquals(List.of(DLQ + "/clickstream.events:2:101"), sent);
    assertEquals(1, store.windows.size(), "the window waits in the outbox");
    assertEquals(0, store.windowRounds);
  }

  @Test
  void aSendThatFailsForAPassingReasonLeavesItsRowForALaterRoundAndTheOthersGo() {
    store.windows.add(withMessage("w-1", 1));
    store.windows.add(withMessage("w-2", 2));
    failing.put("w-1", new TimeoutException("broker away"));

    publisher.publish();

    assertEquals(List.of(WINDOWS + "/w-2"), sent);
    assertEquals(List.of("w-1"), store.windows.stream().map(QueuedWindow::windowId).toList());
    assertFalse(store.settled.containsKey("w-1"));
    assertEquals(0, unsendable(WINDOWS));

    failing.clear();
    publisher.publish();
    assertEquals(List.of(WINDOWS + "/w-2", WINDOWS + "/w-1"), sent, "sent on the next round");
    assertTrue(store.windows.isEmpty());
  }

  @Test
  void aMessageKafkaRefusesForGoodLeavesTheOutboxWithItsReasonAndIsCounted() {
    store.windows.add(withMessage("w-1", 1));
    store.windows.add(withMessage("w-2", 2));
    store.deadLetters.add(deadLetter(3));
    failing.put("w-1", new RecordTooLargeException("too big"));
    failing.put("clickstream.events:2:103", new RecordTooLargeException("too big"));

    publisher.publish();

    assertEquals("RecordTooLargeException: too big", store.settled.get("w-1"));
    assertNull(store.settled.get("w-2"), "the rows behind it are not held back");
    assertEquals("RecordTooLargeException: too big", store.settled.get(3L));
    assertTrue(store.windows.isEmpty());
    assertTrue(store.deadLetters.isEmpty());
    assertEquals(1, unsendable(WINDOWS));
    assertEquals(1, unsendable(DLQ));
  }

  @Test
  void aFullRoundIsFollowedAtOnceUntilTheQueueIsDrained() {
    for (int i = 0; i < OutboxPublisher.BATCH + 5; i++) {
      store.windows.add(withMessage("w-" + i, 1));
    }

    publisher.publish();

    assertEquals(OutboxPublisher.BATCH + 5, sent.size());
    assertEquals(2, store.windowRounds, "a full round, then the rest");
  }

  @Test
  void aFullRoundThatLeftRowsUnsentWaitsForTheNextTick() {
    for (int i = 0; i < OutboxPublisher.BATCH; i++) {
      store.windows.add(withMessage("w-" + i, 1));
    }
    failing.put("w-0", new TimeoutException("broker away"));

    publisher.publish();

    assertEquals(1, store.windowRounds, "the broker that refused a row needs the time");
    assertEquals(1, store.windows.size());
  }

  @Test
  void aRoundAskedForWhileOneRunsFollowsItOnceAndRoundsNeverOverlap() {
    Promise<Void> held = Promise.promise();
    store.holdNextRound = held;
    store.windows.add(withMessage("w-1", 1));

    publisher.publish();
    store.windows.add(withMessage("w-2", 1));
    publisher.publish();
    publisher.publish();
    assertEquals(1, store.windowRounds, "the second and third wait for the first");

    held.complete();
    assertEquals(2, store.windowRounds, "one round follows");
    assertEquals(List.of(WINDOWS + "/w-1", WINDOWS + "/w-2"), sent);
  }

  @Test
  void aFailingStoreIsRetriedOnTheNextTickNotAtOnce() {
    store.failure = new IllegalStateException("PostgreSQL away");
    store.windows.add(withMessage("w-1", 1));

    publisher.publish();
    assertEquals(1, store.windowRounds);
    assertEquals(1, store.deadLetterRounds, "dead letters are tried even when windows failed");

    store.failure = null;
    publisher.publish();
    assertEquals(List.of(WINDOWS + "/w-1"), sent);
  }

  @Test
  void noRoundStartsOnceStopped() {
    store.windows.add(withMessage("w-1", 1));
    publisher.stop();

    publisher.publish();

    assertEquals(0, store.windowRounds);
    assertEquals(List.of(), sent);
  }
}
