package io.streampipeline.sink;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.KafkaClients;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.app.SchemaRegistrySettings.WireFormat;
import io.streampipeline.bus.Addresses;
import io.streampipeline.registry.SchemaRegistryClient;
import io.streampipeline.window.AggregatedCodec;
import io.streampipeline.window.WindowResult;
import io.streampipeline.window.WindowType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends committed outbox rows to Kafka: closed windows to clickstream.aggregated (AggregatedMetrics,
 * single-object encoding, key window_id) and dead letters to clickstream.dlq (JSON envelope, key
 * topic:partition:offset), then marks them published. Rows are locked while they are sent, so several
 * processes share the work; a crash between send and mark sends them again (at least once).
 *
 * <p>With AGGREGATED_WIRE_FORMAT=registry, the AggregatedMetrics schema is registered under the subject
 * {@code <aggregated topic>-value} (TopicNameStrategy) and windows go out registry-framed with its id; until
 * the registry has answered, windows wait in the outbox (dead letters do not).
 */
public final class OutboxPublisherVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxPublisherVerticle.class);
  private static final int BATCH = 500;
  private static final String SELECT_WINDOWS = "SELECT window_id, window_type, window_start, window_end, "
      + "source_partition, user_id, session_id, event_count, unique_users, page_views, add_to_carts, purchases, "
      + "total_revenue_cents, top_products, top_categories, product_ids, product_counts, category_names, "
      + "category_counts, emitted_at FROM aggregated_metrics WHERE NOT published "
      + "ORDER BY created_at LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED";
  private static final String MARK_WINDOWS =
      "UPDATE aggregated_metrics SET published = true WHERE window_id = ANY($1)";
  private static final String SELECT_DEAD_LETTERS = "SELECT id, source_topic, source_partition, source_offset, "
      + "error_reason, original_payload, payload_encoding, failed_at FROM dead_letter_events WHERE NOT published "
      + "ORDER BY id LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED";
  private static final String MARK_DEAD_LETTERS = "UPDATE dead_letter_events SET published = true WHERE id = ANY($1)";

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final AggregatedCodec aggregatedCodec = new AggregatedCodec();
  private Pool pool;
  private KafkaProducer<String, byte[]> producer;
  private SchemaRegistryClient registry;
  private Integer aggregatedSchemaId;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private long timer;

  public OutboxPublisherVerticle(PipelineConfig config, Endpoints endpoints) {
    this.config = config;
    this.endpoints = endpoints;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("outbox"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    producer = KafkaProducer.create(vertx, KafkaClients.producer(endpoints,
        "stream-pipeline-outbox-" + ProcessHandle.current().pid()));
    if (config.schemaRegistry().aggregatedWireFormat() == WireFormat.REGISTRY) {
      registry = new SchemaRegistryClient(vertx, config.schemaRegistry());
    }
    timer = vertx.setPeriodic(1000, id -> publish());
    return vertx.eventBus().consumer(Addresses.OUTBOX_READY, msg -> publish()).completion();
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
    Future<Integer> windows = aggregatedSchemaReady().compose(v -> pool.withTransaction(this::publishWindows));
    Future<Integer> deadLetters = windows.transform(ignored -> pool.withTransaction(this::publishDeadLetters));
    Future.join(windows, deadLetters).onComplete((all, err) -> {
      running = false;
      int sent = (windows.succeeded() ? windows.result() : 0) + (deadLetters.succeeded() ? deadLetters.result() : 0);
      if (err != null) {
        log.warn("outbox: publishing failed ({}); will retry", err.toString());
      } else if (sent >= BATCH || again) {
        publish();
      }
    });
  }

  /** Registers the AggregatedMetrics schema once, when windows go out registry-framed. */
  private Future<Void> aggregatedSchemaReady() {
    if (registry == null || aggregatedSchemaId != null) {
      return Future.succeededFuture();
    }
    String subject = config.aggregatedTopic() + "-value";
    return registry.register(subject, AggregatedCodec.V2.toString()).map(id -> {
      aggregatedSchemaId = id;
      log.info("outbox: AggregatedMetrics v2 is schema id {} (subject {}) at {}; windows go out registry-framed",
          id, subject, registry.url());
      return null;
    });
  }

  private Future<Integer> publishWindows(SqlConnection conn) {
    return conn.query(SELECT_WINDOWS).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Future<?>> sends = new ArrayList<>(rows.size());
      List<String> ids = new ArrayList<>(rows.size());
      for (Row row : rows) {
        WindowResult window = toWindow(row);
        ids.add(window.windowId());
        byte[] value = aggregatedSchemaId == null ? aggregatedCodec.encode(window)
            : aggregatedCodec.encodeRegistry(window, aggregatedSchemaId);
        sends.add(producer.send(KafkaProducerRecord.create(config.aggregatedTopic(), window.windowId(), value)));
      }
      return Future.all(sends)
          .compose(v -> conn.preparedQuery(MARK_WINDOWS).execute(Tuple.of(ids.toArray(new String[0]))))
          .map(v -> rows.size());
    });
  }

  private Future<Integer> publishDeadLetters(SqlConnection conn) {
    return conn.query(SELECT_DEAD_LETTERS).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Future<?>> sends = new ArrayList<>(rows.size());
      List<Long> ids = new ArrayList<>(rows.size());
      for (Row row : rows) {
        ids.add(row.getLong("id"));
        String topic = row.getString("source_topic");
        int partition = row.getInteger("source_partition");
        long offset = row.getLong("source_offset");
        byte[] json = DeadLetterRows.envelope(row.getString("original_payload"), row.getString("payload_encoding"),
                row.getString("error_reason"), topic, partition, offset, row.getLong("failed_at"))
            .encode().getBytes(StandardCharsets.UTF_8);
        sends.add(producer.send(KafkaProducerRecord.create(config.dlqTopic(),
            DeadLetterRows.key(topic, partition, offset), json)));
      }
      return Future.all(sends)
          .compose(v -> conn.preparedQuery(MARK_DEAD_LETTERS).execute(Tuple.of(ids.toArray(new Long[0]))))
          .map(v -> rows.size());
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
