package io.streampipeline.sink;

import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ProcessIdentity;
import io.streampipeline.config.SchemaRegistrySettings.WireFormat;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.registry.SchemaRegistryClient;
import io.streampipeline.window.AggregatedCodec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the committed outbox to Kafka: the closed windows queued in aggregated_outbox to clickstream.aggregated
 * (AggregatedMetrics, single-object encoding, key window_id), in seq order, then deletes their queue entries; and
 * unpublished dead letters to clickstream.dlq (JSON envelope, key topic:partition:offset), then marks them
 * published. Queue entries and dead-letter rows are locked while they are sent, so several processes share the
 * work; a crash between send and delete (or mark) sends them again (at least once). Window rows themselves are
 * never updated to mark them (V8): the delete touches only the narrow queue entry.
 *
 * <p>A checkpoint that writes a window again while it is being sent queues it again in the same statement, which
 * takes the entry's row lock (sink/SinkSql#UPSERT_WINDOWS): it waits for this round, and after the round's delete
 * it inserts a new entry, so the new figures are sent after the old ones. One case slips past the lock: the
 * checkpoint commits between this round's snapshot and its lock of the entry; the lock then follows the entry to
 * its new version. Since V9 an entry carries its window's message, so the lock hands over the new message with the
 * new version and that is what is sent. An entry queued before V9 has no message and its window row is read
 * instead, which may be the old one: such an entry is deleted only if the window row is still the version that
 * was sent (its xmin); otherwise it stays and the new figures go out next round.
 *
 * <p>With AGGREGATED_WIRE_FORMAT=registry, the AggregatedMetrics schema is registered under the subject
 * {@code <aggregated topic>-value} (TopicNameStrategy) and windows go out registry-framed with its id; until
 * the registry has answered, windows wait in the outbox (dead letters do not).
 *
 * <p>Each row is settled on its own: a row whose send failed for a reason that passes (broker away, timeout) stays
 * queued (unpublished) and is tried again on the next round; a row whose message Kafka refuses for good (too
 * large, invalid) leaves the queue (is marked published) with the reason in publish_error, counted and logged
 * once, so it cannot hold back the rows behind it. Dead letters are capped on the topic (see
 * {@link DeadLetterRows#MAX_ENVELOPE_BYTES}).
 */
public final class OutboxPublisherVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxPublisherVerticle.class);
  /**
   * Rows per round. 2,000 rather than 500: with 200,000 users (280,905 windows per 1,000,000 events) the bench's
   * windows tail was 6.0–7.4 s against 7.8–9.6 s (docs/performance.md); each round waits for its slowest send.
   */
  private static final int BATCH = 2000;
  /**
   * The queue's head. An entry carries its window's message (V9) when the checkpoint wrote it: {@code own_message}
   * says it is one to send as it is (it starts with {@code $1}, the v2 single-object header: 0xC3 0x01 and the
   * fingerprint). An entry without one, or with a message of another schema, comes with its window row instead
   * (looked up only for such entries) and {@code version}, the row version read (its xmin); if that row is gone
   * (deleted by hand) it comes with neither and is dropped unsent.
   */
  static final String SELECT_WINDOWS = "SELECT o.seq, o.window_id, o.payload, m.own_message, a.version, "
      + "a.window_type, a.window_start, a.window_end, a.source_partition, a.user_id, a.session_id, a.event_count, "
      + "a.unique_users, a.page_views, a.add_to_carts, a.purchases, a.total_revenue_cents, a.top_products, "
      + "a.top_categories, a.product_ids, a.product_counts, a.category_names, a.category_counts, a.emitted_at "
      + "FROM aggregated_outbox o CROSS JOIN LATERAL (SELECT o.payload IS NOT NULL "
      + "AND substr(o.payload, 1, 10) = $1::bytea AS own_message) m "
      + "LEFT JOIN LATERAL (SELECT r.xmin::text AS version, r.* FROM aggregated_metrics r "
      + "WHERE NOT m.own_message AND r.window_id = o.window_id) a "
      + "ON true ORDER BY o.seq LIMIT " + BATCH + " FOR UPDATE OF o SKIP LOCKED";
  /**
   * $1 the settled entries' seq, $2 their window_id, $3 the row version sent (null: no row), $4 whether the
   * message sent was the entry's own, $5 per entry null (sent) or why it can never be sent. Deletes the entries
   * and writes the refusals' publish_error.
   *
   * <p>An entry sent with its own message goes: the publisher holds its lock, and the lock is on the version whose
   * message was sent (a checkpoint that queued the window again before the lock was taken hands the lock the new
   * version, message included). An entry sent from its window row goes only if the row is still the version sent;
   * otherwise new figures were committed between the read and the lock, and it stays queued for the next round.
   * Every row is found by its key (a subquery per entry, {@code = ANY} of the keys): written as a join, the
   * planner hashed the whole of aggregated_metrics, and the round took 65 ms per 500 rows by 280,000 windows
   * (docs/performance.md). The outbox's connection also plans each execution anew (see start()).
   */
  static final String DEQUEUE_WINDOWS = "WITH done AS (SELECT u.seq, u.window_id, u.error FROM unnest($1::bigint[], "
      + "$2::varchar[], $3::text[], $4::boolean[], $5::text[]) AS u(seq, window_id, version, own_message, error) "
      + "WHERE u.own_message OR u.version IS NOT DISTINCT FROM "
      + "(SELECT a.xmin::text FROM aggregated_metrics a WHERE a.window_id = u.window_id)), "
      + "refused AS (UPDATE aggregated_metrics a "
      + "SET publish_error = (SELECT d.error FROM done d WHERE d.window_id = a.window_id) "
      + "WHERE a.window_id = ANY (ARRAY(SELECT d.window_id FROM done d WHERE d.error IS NOT NULL))) "
      + "DELETE FROM aggregated_outbox WHERE seq = ANY (ARRAY(SELECT seq FROM done))";
  /** What an entry's message starts with when it is AggregatedMetrics v2 in single-object encoding. */
  static final Buffer V2_HEADER = Buffer.buffer(ClickstreamCodec.singleObjectHeader(AggregatedCodec.V2_FINGERPRINT));
  private static final String SELECT_DEAD_LETTERS = "SELECT id, source_topic, source_partition, source_offset, "
      + "source_topic_id, error_reason, original_payload, payload_encoding, failed_at FROM dead_letter_events "
      + "WHERE NOT published "
      + "ORDER BY id LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED";
  private static final String MARK_DEAD_LETTERS = "UPDATE dead_letter_events d SET published = true, "
      + "publish_error = u.error FROM unnest($1::bigint[], $2::text[]) AS u(id, error) WHERE d.id = u.id";

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final PipelineMetrics metrics;
  private final AggregatedCodec aggregatedCodec = new AggregatedCodec();
  private Pool pool;
  private KafkaProducer<String, byte[]> producer;
  private SchemaRegistryClient registry;
  private Integer aggregatedSchemaId;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private long timer;

  public OutboxPublisherVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
    this.endpoints = endpoints;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    // Custom plans only: the tables this connection reads grow from nothing to millions of rows while it runs, and
    // a generic plan made while they were small (after five executions) would be kept for good.
    PgConnectOptions options = endpoints.pgConnectOptions();
    Map<String, String> properties = new HashMap<>(options.getProperties());
    properties.put("plan_cache_mode", "force_custom_plan");
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("outbox"))
        .connectingTo(options.setProperties(properties)).using(vertx).build();
    producer = KafkaProducer.create(vertx, KafkaClients.producer(endpoints,
        "stream-pipeline-outbox-" + ProcessIdentity.id()));
    if (config.schemaRegistry().aggregatedWireFormat() == WireFormat.REGISTRY) {
      registry = new SchemaRegistryClient(vertx, config.schemaRegistry());
    }
    // A failed send also reaches the stream's exception handler; its own future carries it to settle(), which
    // logs what matters per row. Without a handler Vert.x would log each one again as unhandled.
    producer.exceptionHandler(err -> log.debug("outbox: a send failed: {}", err.toString()));
    timer = vertx.setPeriodic(1000, id -> publish());
    return vertx.eventBus().consumer(Addresses.OUTBOX_READY, msg -> publish()).completion();
  }

  /** One round's rows: how many were selected, and how many of them are left for a later round. */
  private record Round(int selected, int left) {
    Round plus(Round other) {
      return new Round(selected + other.selected, left + other.left);
    }
  }

  private void publish() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Round> windows = aggregatedSchemaReady().compose(v -> pool.withTransaction(this::publishWindows));
    Future<Round> deadLetters = windows.transform(ignored -> pool.withTransaction(this::publishDeadLetters));
    Future.join(windows, deadLetters).onComplete((all, err) -> {
      running = false;
      Round round = (windows.succeeded() ? windows.result() : new Round(0, 0))
          .plus(deadLetters.succeeded() ? deadLetters.result() : new Round(0, 0));
      if (err != null) {
        log.warn("outbox: publishing failed ({}); will retry", err.toString());
      } else if (round.left() == 0 && (round.selected() >= BATCH || again)) {
        // Rows left unsent wait for the timer instead: the broker that refused them needs the time.
        publish();
      }
    });
  }

  /** Registers the AggregatedMetrics schema once, when windows go out registry-framed. */
  private Future<Void> aggregatedSchemaReady() {
    if (registry == null || aggregatedSchemaId != null) {
      return Future.succeededFuture();
    }
    String subject = config.kafka().aggregatedTopic() + "-value";
    return registry.register(subject, AggregatedCodec.V2.toString()).map(id -> {
      aggregatedSchemaId = id;
      log.info("outbox: AggregatedMetrics v2 is schema id {} (subject {}) at {}; windows go out registry-framed",
          id, subject, registry.url());
      return null;
    });
  }

  private Future<Round> publishWindows(SqlConnection conn) {
    return conn.preparedQuery(SELECT_WINDOWS).execute(Tuple.of(V2_HEADER)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Round(0, 0));
      }
      List<Future<?>> sends = new ArrayList<>(rows.size());
      List<Queued> entries = new ArrayList<>(rows.size());
      List<String> ids = new ArrayList<>(rows.size());
      for (Row row : rows) {
        Queued entry = Queued.of(row);
        entries.add(entry);
        ids.add(entry.windowId());
        byte[] value = message(entry, row);
        if (value == null) {
          sends.add(Future.succeededFuture()); // its row is gone: nothing to send, the entry goes
          continue;
        }
        sends.add(producer.send(KafkaProducerRecord.create(config.kafka().aggregatedTopic(), entry.windowId(), value)));
      }
      return settle(config.kafka().aggregatedTopic(), ids, sends).compose(outcomes -> {
        Marks<Queued> marks = Marks.of(entries, outcomes);
        int n = marks.ids().size();
        Long[] seqs = new Long[n];
        String[] windowIds = new String[n];
        String[] versions = new String[n];
        Boolean[] ownMessages = new Boolean[n];
        for (int i = 0; i < n; i++) {
          Queued entry = marks.ids().get(i);
          seqs[i] = entry.seq();
          windowIds[i] = entry.windowId();
          versions[i] = entry.version();
          ownMessages[i] = entry.ownMessage();
        }
        return marks.mark(conn, DEQUEUE_WINDOWS, Tuple.tuple().addArrayOfLong(seqs).addArrayOfString(windowIds)
            .addArrayOfString(versions).addArrayOfBoolean(ownMessages));
      });
    });
  }

  /**
   * What to send for an entry: its own message (registry-framed when windows go out so), or one encoded from its
   * window row; null when it has neither (the row is gone).
   */
  private byte[] message(Queued entry, Row row) {
    if (entry.ownMessage()) {
      byte[] singleObject = row.getBuffer("payload").getBytes();
      return aggregatedSchemaId == null ? singleObject
          : RegistryFraming.fromSingleObject(singleObject, aggregatedSchemaId);
    }
    if (entry.version() == null) {
      return null;
    }
    WindowResult window = toWindow(row);
    return aggregatedSchemaId == null ? aggregatedCodec.encode(window)
        : aggregatedCodec.encodeRegistry(window, aggregatedSchemaId);
  }

  /**
   * A queue entry as read: {@code ownMessage} when it carries a v2 message to send as it is; otherwise
   * {@code version} is its window row's version (xmin), null when the row is gone.
   */
  private record Queued(long seq, String windowId, String version, boolean ownMessage) {
    static Queued of(Row row) {
      return new Queued(row.getLong("seq"), row.getString("window_id"), row.getString("version"),
          row.getBoolean("own_message"));
    }
  }

  private Future<Round> publishDeadLetters(SqlConnection conn) {
    return conn.query(SELECT_DEAD_LETTERS).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Round(0, 0));
      }
      List<Future<?>> sends = new ArrayList<>(rows.size());
      List<Long> ids = new ArrayList<>(rows.size());
      List<String> keys = new ArrayList<>(rows.size());
      for (Row row : rows) {
        ids.add(row.getLong("id"));
        String topic = row.getString("source_topic");
        int partition = row.getInteger("source_partition");
        long offset = row.getLong("source_offset");
        String topicId = row.getString("source_topic_id");
        byte[] json = DeadLetterRows.envelopeJson(row.getString("original_payload"),
            row.getString("payload_encoding"), row.getString("error_reason"), topic,
            topicId.isEmpty() ? null : topicId, partition, offset, row.getLong("failed_at"));
        String key = DeadLetterRows.key(topic, partition, offset);
        keys.add(key);
        sends.add(producer.send(KafkaProducerRecord.create(config.kafka().dlqTopic(), key, json)));
      }
      return settle(config.kafka().dlqTopic(), keys, sends).compose(outcomes -> {
        Marks<Long> marks = Marks.of(ids, outcomes);
        return marks.mark(conn, MARK_DEAD_LETTERS, Tuple.tuple().addArrayOfLong(marks.ids().toArray(new Long[0])));
      });
    });
  }

  /**
   * The rows of a round whose sends are settled, with their publish_error (null when sent); the others wait for a
   * later round. {@code selected} is how many rows the round took.
   */
  private record Marks<K>(List<K> ids, List<String> errors, int selected) {
    static <K> Marks<K> of(List<K> rowIds, Settled[] outcomes) {
      List<K> ids = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < outcomes.length; i++) {
        if (outcomes[i] != null) {
          ids.add(rowIds.get(i));
          errors.add(outcomes[i].error());
        }
      }
      return new Marks<>(ids, errors, outcomes.length);
    }

    /** Runs the marking statement: {@code idArray} holds the parameters before the errors, which follow. */
    Future<Round> mark(SqlConnection conn, String sql, Tuple idArray) {
      Round round = new Round(selected, selected - ids.size());
      return ids.isEmpty() ? Future.succeededFuture(round)
          : conn.preparedQuery(sql).execute(idArray.addArrayOfString(errors.toArray(new String[0]))).map(round);
    }
  }

  private record Settled(String error) {
  }

  /**
   * Waits for every send, then decides per row: {@link Settled} to mark it, null to leave it for a later round.
   * An unsendable row is logged here, once: marked published, it is not selected again.
   */
  private Future<Settled[]> settle(String topic, List<String> keys, List<Future<?>> sends) {
    return Future.join(sends).transform(joined -> {
      Settled[] outcomes = new Settled[sends.size()];
      int left = 0;
      Throwable firstLeft = null;
      for (int i = 0; i < outcomes.length; i++) {
        Future<?> send = sends.get(i);
        if (send.succeeded()) {
          outcomes[i] = new Settled(null);
          continue;
        }
        String unsendable = PublishFailures.unsendableReason(send.cause());
        if (unsendable == null) {
          left++;
          firstLeft = firstLeft == null ? send.cause() : firstLeft;
          continue;
        }
        outcomes[i] = new Settled(unsendable);
        metrics.outboxUnsendable(topic);
        log.error("outbox: the message with key {} can never be sent to {} ({}); it leaves the outbox with this "
            + "publish_error and its row keeps all its data", keys.get(i), topic, unsendable);
      }
      if (left > 0) {
        log.warn("outbox: {} of {} messages to {} not sent ({}); will retry them", left, outcomes.length, topic,
            firstLeft.toString());
      }
      return Future.succeededFuture(outcomes);
    });
  }

  static WindowResult toWindow(Row row) {
    return new WindowResult(
        row.getString("window_id"),
        WindowType.fromWireName(row.getString("window_type")),
        row.getLong("window_start"),
        row.getLong("window_end"),
        row.getInteger("source_partition"),
        row.getString("user_id"),
        row.getString("session_id"),
        row.getLong("event_count"),
        row.getLong("unique_users"),
        row.getLong("page_views"),
        row.getLong("add_to_carts"),
        row.getLong("purchases"),
        row.getLong("total_revenue_cents"),
        List.of(row.getArrayOfStrings("top_products")),
        List.of(row.getArrayOfStrings("top_categories")),
        row.getArrayOfStrings("product_ids"),
        unboxed(row.getArrayOfLongs("product_counts")),
        row.getArrayOfStrings("category_names"),
        unboxed(row.getArrayOfLongs("category_counts")),
        row.getLong("emitted_at"));
  }

  private static long[] unboxed(Long[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<Void> registryClosed = registry == null ? Future.succeededFuture() : registry.close();
    return registryClosed.eventually(() -> producer.close()).eventually(() -> pool.close());
  }
}
