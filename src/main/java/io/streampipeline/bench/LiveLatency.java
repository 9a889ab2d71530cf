package io.streampipeline.bench;

import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratorVerticle;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce→commit latency at fixed live rates, after the replay, on the same running pipeline: for each rate the
 * pipeline's own generator sends rate × live-seconds events stamped with the wall clock; once they are all
 * committed, PostgreSQL gives each row's commit time (track_commit_timestamp, else ingested_at). Blocking.
 */
final class LiveLatency {
  private static final Logger log = LoggerFactory.getLogger(LiveLatency.class);
  private static final long COMMIT_TIMEOUT_MINUTES = 5;
  private static final long ADMIN_TIMEOUT_SECONDS = 60;

  private final BenchOptions options;
  private final JsonObject result;
  /** The generator's configuration for a rate's phase. */
  private final Function<Map<String, String>, PipelineConfig> generatorConfig;

  LiveLatency(BenchOptions options, JsonObject result, Function<Map<String, String>, PipelineConfig> generatorConfig) {
    this.options = options;
    this.result = result;
    this.generatorConfig = generatorConfig;
  }

  void measure(BenchedPipeline app, Endpoints endpoints, Connection db, PipelineConfig pipeline, String topic,
      int partitions, long seed, boolean commitTimes) throws Exception {
    JsonArray phases = new JsonArray();
    for (int rate : options.liveRates()) {
      long events = (long) rate * options.liveSeconds();
      PipelineConfig config = generatorConfig.apply(Map.of("PRODUCER_EVENTS_PER_SECOND", String.valueOf(rate),
          "PRODUCER_MAX_EVENTS", String.valueOf(events), "PRODUCER_SEED", String.valueOf(seed + rate)));
      log.info("bench: live phase, {} events/s for {} s", rate, options.liveSeconds());
      GeneratorVerticle generator = new GeneratorVerticle(config, endpoints, app.metrics());
      long from = System.currentTimeMillis();
      String deployment = app.vertx().deployVerticle(generator).await();
      generator.finished().await();
      long to = System.currentTimeMillis();
      app.vertx().undeploy(deployment).await();
      awaitCommitted(db, endOffsets(endpoints, topic, partitions), pipeline, topic);
      JsonObject phase = latency(db, from, to, commitTimes).put("rate", rate).put("seconds", options.liveSeconds());
      log.info("bench: live phase {}/s: {}", rate, phase.encode());
      phases.add(phase);
    }
    result.put("live", phases);
    if (!phases.isEmpty()) {
      JsonObject first = phases.getJsonObject(0);
      result.put("p50_commit_latency_ms", first.getValue("p50_ms"));
      result.put("p99_commit_latency_ms", first.getValue("p99_ms"));
      result.put("latency_rate", first.getInteger("rate"));
    }
  }

  private static void awaitCommitted(Connection db, long end, PipelineConfig pipeline, String topic)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(COMMIT_TIMEOUT_MINUTES);
    try (PreparedStatement st = db.prepareStatement("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints "
        + "WHERE consumer_group = ? AND topic = ?")) {
      st.setString(1, pipeline.kafka().consumerGroup());
      st.setString(2, topic);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          if (rs.getLong(1) >= end) {
            return;
          }
        }
        Thread.sleep(ReplayRun.POLL_MS);
      }
    }
    throw new IllegalStateException("live events not all committed after " + COMMIT_TIMEOUT_MINUTES + " minutes");
  }

  private static long endOffsets(Endpoints endpoints, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(new HashMap<>(KafkaClients.admin(endpoints, "stream-pipeline-bench")))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResultInfo::offset).sum();
    }
  }

  private static JsonObject latency(Connection db, long from, long to, boolean commitTimes) throws SQLException {
    String commitMs = commitTimes ? "extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000"
        : "extract(epoch FROM ingested_at) * 1000";
    String sql = "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY l), "
        + "percentile_cont(0.95) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP (ORDER BY l), max(l) "
        + "FROM (SELECT " + commitMs + " - event_timestamp_ms AS l FROM clickstream_events "
        + "WHERE event_timestamp_ms BETWEEN ? AND ?) t";
    try (PreparedStatement st = db.prepareStatement(sql)) {
      st.setLong(1, from);
      st.setLong(2, to);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return new JsonObject().put("rows", rs.getLong(1)).put("p50_ms", Math.round(rs.getDouble(2)))
            .put("p95_ms", Math.round(rs.getDouble(3))).put("p99_ms", Math.round(rs.getDouble(4)))
            .put("max_ms", Math.round(rs.getDouble(5)));
      }
    }
  }
}
