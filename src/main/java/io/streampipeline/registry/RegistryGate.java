package io.streampipeline.registry;

import io.streampipeline.config.SchemaRegistrySettings;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between a Kafka consumer's poll batches and the code that decodes them, so that decoding stays
 * synchronous: a batch naming a registry schema id this process does not know yet is held, the ids are
 * looked up (non-blocking), and then the batch is handed on, in order. Batches behind a held one wait too.
 *
 * <p>From the lookup until the held batches are handed on, the consumer is paused: {@code pause} is called once when
 * the hold begins and {@code resume} once when it ends. The owner keeps its consumer paused in between, whatever
 * its other reasons to pause or resume (the lane decides that in its state machine). A registry that cannot be reached is an outage, not bad input: the same batches are held
 * and the lookup is retried with capped exponential backoff for as long as it takes; nothing is handed on,
 * so nothing is dead-lettered for it. An id the registry says does not exist is recorded as unusable, and the
 * decoder sends its messages to the DLQ.
 *
 * <p>Without a registry (SCHEMA_REGISTRY_URL unset) every batch is handed on at once. Not thread-safe: used
 * on its owner's event loop. The schemas learnt are shared by all gates of one Vert.x instance.
 */
public final class RegistryGate {
  private static final Logger log = LoggerFactory.getLogger(RegistryGate.class);
  private static final long FIRST_RETRY_MS = 500;
  private static final long MAX_RETRY_MS = 30_000;
  private static final String SHARED_MAP = "stream-pipeline.schema-registry";

  private final Vertx vertx;
  private final RegistrySchemas schemas;
  private final SchemaRegistryClient client;
  private final String who;
  private final Consumer<List<ConsumerRecord<byte[], byte[]>>> downstream;
  private final Runnable pause;
  private final Runnable resume;
  private final LongSupplier clock;
  private final ArrayDeque<List<ConsumerRecord<byte[], byte[]>>> held = new ArrayDeque<>();
  private boolean lookingUp;
  private boolean paused;
  private int failures;
  private long retryTimer = -1;
  private boolean closed;

  private RegistryGate(Vertx vertx, RegistrySchemas schemas, SchemaRegistryClient client, String who,
      Consumer<List<ConsumerRecord<byte[], byte[]>>> downstream, Runnable pause, Runnable resume, LongSupplier clock) {
    this.vertx = vertx;
    this.schemas = schemas;
    this.client = client;
    this.who = who;
    this.downstream = downstream;
    this.pause = pause;
    this.resume = resume;
    this.clock = clock;
  }

  /**
   * @param reader the schema the decoder reads records as; readerName names it in DLQ reasons
   * @param who names the owner in log lines, e.g. "lane 0"
   * @param downstream decodes a batch (called on the caller's event loop, in the order batches arrived)
   * @param pause stops the consumer from delivering more batches, until {@code resume}
   * @param resume lets it deliver again, unless the owner has reasons of its own to keep it paused
   */
  public static RegistryGate create(Vertx vertx, SchemaRegistrySettings settings, Schema reader, String readerName,
      String who, Consumer<List<ConsumerRecord<byte[], byte[]>>> downstream, Runnable pause, Runnable resume) {
    return create(vertx, settings, reader, readerName, who, downstream, pause, resume, System::currentTimeMillis);
  }

  /** The same, with the owner's wall clock in milliseconds (for how long an unknown id is remembered). */
  public static RegistryGate create(Vertx vertx, SchemaRegistrySettings settings, Schema reader, String readerName,
      String who, Consumer<List<ConsumerRecord<byte[], byte[]>>> downstream, Runnable pause, Runnable resume,
      LongSupplier clock) {
    if (!settings.enabled()) {
      return new RegistryGate(vertx, null, null, who, downstream, pause, resume, clock);
    }
    LocalMap<String, SharedSchemas> shared = vertx.sharedData().getLocalMap(SHARED_MAP);
    RegistrySchemas schemas = shared.computeIfAbsent(settings.url() + " " + readerName,
        key -> new SharedSchemas(new RegistrySchemas(reader, readerName))).schemas;
    return new RegistryGate(vertx, schemas, new SchemaRegistryClient(vertx, settings), who, downstream, pause,
        resume, clock);
  }

  /** The schemas the decoder reads with; null without a registry. */
  public RegistrySchemas schemas() {
    return schemas;
  }

  /** A poll batch, handed on now or after the ids it names are known. */
  public void offer(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    records.forEach(batch::add);
    if (schemas == null || closed) {
      downstream.accept(batch);
      return;
    }
    held.add(batch);
    handOn();
  }

  /**
   * Drops held records of these partitions: their owner re-reads them from an earlier position (a restore), and
   * handing on the later records first would skip the ones in between. Called when a restore starts and again
   * when it finishes: batches fetched before the seek can arrive, and be held, while it runs.
   */
  public void forget(Set<Integer> partitions) {
    if (held.isEmpty()) {
      return;
    }
    for (Iterator<List<ConsumerRecord<byte[], byte[]>>> it = held.iterator(); it.hasNext(); ) {
      List<ConsumerRecord<byte[], byte[]>> batch = it.next();
      batch.removeIf(r -> partitions.contains(r.partition()));
      if (batch.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Nothing more is handed on, retries stop. Held batches were not decoded, so they are read again later. */
  public Future<Void> close() {
    closed = true;
    held.clear();
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    return client == null ? Future.succeededFuture() : client.close();
  }

  private void handOn() {
    while (!held.isEmpty() && !lookingUp && !closed) {
      Set<Integer> unknown = unknownIds(held.peek());
      if (!unknown.isEmpty()) {
        lookUp(unknown);
        return;
      }
      downstream.accept(held.poll());
    }
    if (held.isEmpty() && paused && !closed) {
      paused = false;
      resume.run();
    }
  }

  private Set<Integer> unknownIds(List<ConsumerRecord<byte[], byte[]>> batch) {
    Set<Integer> unknown = null;
    long now = clock.getAsLong();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      int id = RegistryFraming.idToLookUp(record.value());
      if (id >= 0 && schemas.needsLookup(id, now)) {
        if (unknown == null) {
          unknown = new TreeSet<>();
        }
        unknown.add(id);
      }
    }
    return unknown == null ? Set.of() : unknown;
  }

  private void lookUp(Set<Integer> ids) {
    lookingUp = true;
    if (!paused) {
      paused = true;
      pause.run();
    }
    List<Future<?>> lookups = new ArrayList<>(ids.size());
    for (int id : ids) {
      lookups.add(client.schemaById(id).onSuccess(answer -> learn(id, answer)));
    }
    Future.all(lookups).onComplete(done -> {
      if (closed) {
        return;
      }
      if (done.succeeded()) {
        if (failures > 0) {
          log.info("{}: schema registry at {} answers again; handing on {} held batches", who, client.url(),
              held.size());
        }
        failures = 0;
        lookingUp = false;
        handOn();
        return;
      }
      failures++;
      long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(16, failures - 1));
      log.warn("{}: schema registry at {} cannot be reached for schema ids {} ({}); consumer paused, {} batches "
          + "held, retrying in {} ms", who, client.url(), ids, done.cause().getMessage(), held.size(), delay);
      retryTimer = vertx.setTimer(delay, t -> {
        retryTimer = -1;
        lookingUp = false;
        handOn();
      });
    });
  }

  private void learn(int id, SchemaRegistryClient.Lookup answer) {
    RegistrySchemas.Entry entry;
    if (answer instanceof SchemaRegistryClient.Found found) {
      entry = schemas.found(id, found.schemaType(), found.schema());
    } else {
      entry = schemas.notFound(id, ((SchemaRegistryClient.NotFound) answer).message(), clock.getAsLong());
    }
    if (entry instanceof RegistrySchemas.Unusable unusable) {
      log.warn("{}: {}; its messages go to the DLQ", who, unusable.reason());
    } else {
      log.info("{}: learnt writer schema of schema registry id {} from {}", who, id, client.url());
    }
  }

  /** The process's schema cache in Vert.x's local map (which only holds shareable values). */
  private record SharedSchemas(RegistrySchemas schemas) implements Shareable {
  }
}
