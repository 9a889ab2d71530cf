package io.streampipeline.replay;

import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ReplayOptions;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.sink.DeadLetterRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaWriteStream;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Sends dead letters back to a topic, chunk by chunk. Each chunk is one PostgreSQL transaction: its rows
 * are read and locked, their original bytes are sent with headers saying where they came from
 * ({@link ReplayHeaders}), and only once Kafka has acknowledged every send are the rows marked
 * (replayed_at, replay_count) and the transaction committed. A crash or a failed send before the commit
 * leaves the chunk unmarked, so a later run sends it again: the replay is at least once, and the pipeline
 * stores each event_id once.
 *
 * <p>A row goes back to the partition it was read from when the target topic has that partition (the input
 * topic is keyed by user_id, and the windows rely on a user staying in one partition); otherwise Kafka
 * picks one. The original key is not stored in the DLQ, so the record has none.
 */
public final class DeadLetterReplay {
  static final int CHUNK = 500;
  private static final long PROGRESS_EVERY_MS = 1000;

  private final Vertx vertx;
  private final PipelineConfig config;
  private final Endpoints endpoints;
  private final ReplayOptions options;
  private final ReplaySelection selection;
  private final Consumer<String> out;
  private final String topic;
  private final Map<String, Long> byReason = new LinkedHashMap<>();
  private Pool pool;
  private KafkaWriteStream<byte[], byte[]> producer;
  private int targetPartitions;
  private long sent;
  private long lastProgressAt;

  public DeadLetterReplay(Vertx vertx, PipelineConfig config, Endpoints endpoints, Consumer<String> out) {
    this.vertx = vertx;
    this.config = config;
    this.endpoints = endpoints;
    this.options = config.replay() == null ? ReplayOptions.all() : config.replay();
    this.selection = new ReplaySelection(options);
    this.out = out;
    this.topic = options.toTopic() != null ? options.toTopic() : config.kafka().clickstreamTopic();
  }

  /** Runs the replay (or the dry run) to the end; the future fails with the reason when it stops early. */
  public Future<Void> run() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setName("replay-dlq"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    Future<Void> done = pool.preparedQuery(selection.countAlreadyReplayed()).execute(params())
        .compose(rows -> {
          long skipped = rows.iterator().next().getLong(0);
          return options.dryRun() ? dryRun(skipped) : replay(skipped);
        });
    return done.eventually(() -> producer == null ? pool.close() : producer.close().eventually(pool::close));
  }

  private Future<Void> dryRun(long skipped) {
    return pool.preparedQuery(selection.countByReason()).execute(params()).map(rows -> {
      long total = 0;
      for (Row row : rows) {
        byReason.put(row.getString("error_reason"), row.getLong("n"));
        total += row.getLong("n");
      }
      out.accept("replay-dlq dry run: " + total + " dead letters would be sent to " + topic + ", " + skipped
          + " skipped (replayed before; --again sends them again); nothing sent, nothing marked");
      printReasons();
      return null;
    });
  }

  private Future<Void> replay(long skipped) {
    Map<String, Object> props = new HashMap<>(KafkaClients.producer(endpoints,
        "stream-pipeline-replay-dlq-" + ProcessHandle.current().pid()));
    props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    props.put("max.block.ms", "15000");
    return partitionCount().compose(partitions -> {
      targetPartitions = partitions;
      producer = KafkaWriteStream.create(vertx, props);
      out.accept("replay-dlq: sending dead letters to " + topic + " (" + targetPartitions + " partitions)"
          + describeFilters());
      return chunks(0)
          .map(v -> {
            out.accept("replay-dlq finished: " + sent + " sent to " + topic + ", " + skipped
                + " skipped (replayed before; --again sends them again)");
            printReasons();
            return (Void) null;
          })
          .recover(err -> Future.failedFuture(new IllegalStateException("stopped after " + sent + " sent and "
              + "marked: " + err.getMessage() + " (the rows of the failed chunk stay unmarked; some of them may "
              + "have been sent, and a new run sends them again: the pipeline stores each event_id once)", err)));
    });
  }

  /**
   * Partitions of the target topic, asked of the admin API: a producer's metadata request would create a
   * misspelt --to-topic on a broker that creates topics on first use.
   */
  private Future<Integer> partitionCount() {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of(
        "bootstrap.servers", endpoints.kafkaBootstrapServers(),
        "client.id", "stream-pipeline-replay-dlq-admin-" + ProcessHandle.current().pid(),
        "request.timeout.ms", "10000",
        "default.api.timeout.ms", "15000"));
    return admin.describeTopics(List.of(topic))
        .map(topics -> topics.get(topic).getPartitions().size())
        .recover(err -> Future.failedFuture(new IllegalStateException("cannot send to topic " + topic + ": "
            + (unknownTopic(err) ? "it does not exist" : err.getMessage()), err)))
        .eventually(admin::close);
  }

  private static boolean unknownTopic(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof UnknownTopicOrPartitionException) {
        return true;
      }
    }
    return false;
  }

  private Future<Void> chunks(long afterId) {
    long room = options.limit() == ReplayOptions.NO_LIMIT ? CHUNK : Math.min(CHUNK, options.limit() - sent);
    if (room <= 0) {
      return Future.succeededFuture();
    }
    Tuple params = params().addLong(afterId).addInteger((int) room);
    return pool.withTransaction(conn -> conn.preparedQuery(selection.chunk()).execute(params)
            .compose(rows -> rows.size() == 0 ? Future.succeededFuture(-1L) : sendAndMark(conn, rows)))
        .compose(lastId -> {
          if (lastId < 0) {
            return Future.succeededFuture();
          }
          long now = System.currentTimeMillis();
          if (now - lastProgressAt >= PROGRESS_EVERY_MS) {
            lastProgressAt = now;
            out.accept("replay-dlq: " + sent + " sent so far (dead letters up to id " + lastId + ")");
          }
          return chunks(lastId);
        });
  }

  /** Sends a chunk, waits for every acknowledgement, marks the rows; returns the highest id. */
  private Future<Long> sendAndMark(SqlConnection conn, RowSet<Row> rows) {
    List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
    List<Long> ids = new ArrayList<>(rows.size());
    List<String> reasons = new ArrayList<>(rows.size());
    for (Row row : rows) {
      long id = row.getLong("id");
      int partition = row.getInteger("source_partition");
      String reason = row.getString("error_reason");
      byte[] payload = DeadLetterRows.payloadBytes(row.getString("original_payload"),
          row.getString("payload_encoding"));
      Integer target = partition < targetPartitions ? partition : null;
      acks.add(producer.send(new ProducerRecord<>(topic, target, null, null, payload,
          ReplayHeaders.of(row.getString("source_topic"), partition, row.getLong("source_offset"), id, id, reason))));
      ids.add(id);
      reasons.add(reason);
    }
    return Future.all(acks)
        .compose(v -> conn.preparedQuery(ReplaySelection.MARK).execute(Tuple.tuple()
            .addArrayOfLong(ids.toArray(new Long[0]))))
        .map(marked -> {
          sent += ids.size();
          reasons.forEach(r -> byReason.merge(r, 1L, Long::sum));
          return ids.get(ids.size() - 1);
        });
  }

  private Tuple params() {
    Tuple tuple = Tuple.tuple();
    selection.params().forEach(tuple::addValue);
    return tuple;
  }

  private void printReasons() {
    if (byReason.isEmpty()) {
      return;
    }
    out.accept("  by reason:");
    byReason.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.accept(String.format("  %8d  %s", e.getValue(), e.getKey())));
  }

  private String describeFilters() {
    List<String> parts = new ArrayList<>();
    if (options.reasonContains() != null) {
      parts.add("reason contains '" + options.reasonContains() + "'");
    }
    if (options.sinceMs() != null) {
      parts.add("failed at or after " + java.time.Instant.ofEpochMilli(options.sinceMs()));
    }
    if (options.untilMs() != null) {
      parts.add("failed before " + java.time.Instant.ofEpochMilli(options.untilMs()));
    }
    if (options.partition() != null) {
      parts.add("partition " + options.partition());
    }
    if (options.limit() != ReplayOptions.NO_LIMIT) {
      parts.add("at most " + options.limit());
    }
    if (options.again()) {
      parts.add("including rows replayed before");
    }
    return parts.isEmpty() ? "" : "; " + String.join(", ", parts);
  }
}
