package io.streampipeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.config.SchemaRegistrySettings.WireFormat;
import io.streampipeline.config.SchemaRegistrySettings;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import io.streampipeline.ingest.PartitionLedger;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gate against a real HTTP server playing the registry (id 1 is ClickstreamEvent v1, others unknown; it
 * can answer 503): order, holding, pausing and resuming, and dropping held records of restored partitions.
 */
@ExtendWith(VertxExtension.class)
class RegistryGateTest {
  private Vertx vertx;
  private HttpServer server;
  private Context context;
  private volatile boolean down;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> handedOn = new CopyOnWriteArrayList<>();
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger resumes = new AtomicInteger();
  private RegistryGate gate;
  private SchemaRegistrySettings settings;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    server = vertx.createHttpServer().requestHandler(request -> {
      requests.incrementAndGet();
      JsonObject body;
      int status;
      if (down) {
        status = 503;
        body = new JsonObject().put("error_code", 50003).put("message", "down");
      } else if (request.path().equals("/schemas/ids/1")) {
        status = 200;
        body = new JsonObject().put("schema", ClickstreamCodec.V1.toString());
      } else {
        status = 404;
        body = new JsonObject().put("error_code", 40403).put("message", "Schema not found");
      }
      request.response().setStatusCode(status).end(body.encode());
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    context = vertx.getOrCreateContext();
    settings = new SchemaRegistrySettings("http://127.0.0.1:" + server.actualPort(), null,
        null, WireFormat.SINGLE_OBJECT, WireFormat.SINGLE_OBJECT);
    onContext(() -> gate = RegistryGate.create(vertx, settings, ClickstreamCodec.V1, "ClickstreamEvent v1", "test",
        batch -> batch.forEach(r -> handedOn.add(r.partition() + ":" + r.offset())), pauses::incrementAndGet,
        resumes::incrementAndGet));
  }

  @Test
  void messagesWithoutAFramePassAtOnce() {
    onContext(() -> gate.offer(List.of(record(0, 0, singleObject()), record(0, 1, new byte[] {2, 3}))));
    assertEquals(List.of("0:0", "0:1"), handedOn);
    assertEquals(0, requests.get());
    assertEquals(0, pauses.get());
  }

  @Test
  void aBatchWithANewIdWaitsForItsLookupAndTheBatchesBehindItWaitToo() {
    onContext(() -> {
      gate.offer(List.of(record(0, 0, singleObject()), record(0, 1, framed(1))));
      gate.offer(List.of(record(1, 0, singleObject())));
    });
    await(() -> handedOn.size() == 3);
    // Without the queue the second batch, which names no new id, would have overtaken the first.
    assertEquals(List.of("0:0", "0:1", "1:0"), handedOn, "in the order they came");
    assertTrue(pauses.get() >= 1, "consumer paused while looking up");
    await(() -> resumes.get() == 1);
    // Known now: the next one passes without asking again.
    onContext(() -> gate.offer(List.of(record(0, 2, framed(1)))));
    assertEquals("0:2", handedOn.get(3));
    assertEquals(1, requests.get());
  }

  @Test
  void anOutageHoldsTheBatchAndRetriesUntilTheRegistryAnswers() throws Exception {
    down = true;
    onContext(() -> gate.offer(List.of(record(0, 0, framed(1)))));
    await(() -> requests.get() >= 3);
    assertEquals(List.of(), handedOn);
    assertEquals(0, resumes.get());
    assertTrue(pauses.get() >= 1);
    down = false;
    await(() -> handedOn.size() == 1);
    await(() -> resumes.get() == 1);
    assertInstanceOf(RegistrySchemas.Usable.class, gate.schemas().get(1));
  }

  /**
   * The gate pauses once when it starts holding and resumes once when it stops; batches offered in between do not
   * pause the consumer again behind the owner's back (the owner keeps it paused until the resume).
   */
  @Test
  void batchesOfferedWhileHeldDoNotPauseTheConsumerAgain() {
    down = true;
    onContext(() -> gate.offer(List.of(record(0, 0, framed(1)))));
    await(() -> requests.get() >= 1);
    onContext(() -> {
      gate.offer(List.of(record(0, 1, singleObject())));
      gate.offer(List.of(record(1, 0, singleObject())));
    });
    assertEquals(1, pauses.get(), "one pause for the whole hold");
    down = false;
    await(() -> handedOn.size() == 3);
    await(() -> resumes.get() == 1);
    assertEquals(1, pauses.get());
  }

  @Test
  void heldRecordsOfARestoredPartitionAreDropped() {
    down = true;
    onContext(() -> {
      gate.offer(List.of(record(0, 5, framed(1)), record(1, 7, framed(1))));
      gate.offer(List.of(record(0, 6, singleObject())));
      gate.forget(Set.of(0));
    });
    down = false;
    await(() -> resumes.get() == 1);
    assertEquals(List.of("1:7"), handedOn, "partition 0 is read again from its checkpoint instead");
  }

  /**
   * The lane's restore of partition 0, step by step as IngestVerticle takes them, with the lane's ledger behind the
   * gate: a batch fetched before the seek (offsets past the rewound position) is offered while the restore runs and
   * held for a lookup; the restore finishes; the records re-fetched from the rewound position follow. Handing on the
   * early batch first would read as a gap above the rewound position and skip every re-fetched record below it.
   */
  @Test
  void aBatchHeldAcrossARestoreIsDroppedWhenTheRestoreFinishes() {
    PartitionLedger ledger = new PartitionLedger(2, 1_000, 1 << 20);
    List<Long> accepted = new CopyOnWriteArrayList<>();
    onContext(() -> gate = RegistryGate.create(vertx, settings, ClickstreamCodec.V1, "ClickstreamEvent v1", "test",
        batch -> batch.forEach(r -> {
          if (ledger.accept(r.partition(), r.offset(), 1, 0)) {
            accepted.add(r.offset());
          }
        }), pauses::incrementAndGet, resumes::incrementAndGet));
    ledger.assigned(Set.of(0));
    ledger.restored(0, 1, 0, 0, 0);
    down = true;
    onContext(() -> {
      // Restore begins (a refused checkpoint): the lane had read up to offset 9, PostgreSQL holds 5.
      gate.forget(Set.of(0));
      ledger.beginRestore(0);
      gate.offer(List.of(record(0, 10, framed(1)), record(0, 11, singleObject())));
    });
    onContext(() -> {
      // Claimed and seeked to 5: the restore finishes, then the re-fetched records arrive.
      gate.forget(Set.of(0));
      ledger.restored(0, 2, 5, 5, 0);
      gate.offer(List.of(record(0, 5, singleObject()), record(0, 6, singleObject())));
    });
    down = false;
    await(() -> resumes.get() >= 1);
    assertEquals(List.of(5L, 6L), accepted, "read on from the rewound position, nothing skipped");
    assertEquals(Map.of(), ledger.takeGaps());
  }

  @Test
  void anUnknownIdIsHandedOnForTheDecoderToDeadLetter() {
    onContext(() -> gate.offer(List.of(record(0, 0, framed(77)))));
    await(() -> handedOn.size() == 1);
    RegistrySchemas.Unusable unknown = assertInstanceOf(RegistrySchemas.Unusable.class, gate.schemas().get(77));
    assertEquals("unknown schema registry id 77 (registry: Schema not found)", unknown.reason());
  }

  private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] value) {
    return new ConsumerRecord<>("t", partition, offset, null, value);
  }

  private static byte[] framed(int id) {
    return RegistryFraming.frame(id, new byte[] {1, 2, 3}, 0);
  }

  private static byte[] singleObject() {
    byte[] header = ClickstreamCodec.v1Header();
    byte[] message = new byte[header.length + 1];
    System.arraycopy(header, 0, message, 0, header.length);
    return message;
  }

  /** Runs on the gate's event loop, as the consumer's handlers do, and waits for it. */
  private void onContext(Runnable action) {
    try {
      CompletableFuture<Void> done = new CompletableFuture<>();
      context.runOnContext(v -> {
        try {
          action.run();
          done.complete(null);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
