package io.streampipeline.bench;

import io.streampipeline.infra.Ports;
import io.streampipeline.app.Application;
import io.streampipeline.app.ConfigLoader;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratorVerticle;
import io.streampipeline.infra.Topics;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.window.WindowSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bench} role (docs/design.md#performance-targets): {@code java -jar stream-pipeline.jar --roles=bench
 * --events=N}.
 *
 * <p>It pre-loads N generated events ({@link Preload}: fixed seed, realistic mix, two hours of event time) into
 * a fresh 6-partition topic, starts the pipeline lanes from empty state (fresh database, fresh consumer group;
 * WINDOW_IDLE_SECONDS and SINK_FLUSH_INTERVAL_SECONDS default to 1 here so the windows still open when the
 * replay ends close within seconds), and measures from the first poll that returns records until the last
 * offset is committed with its rows AND every window row the events make is written and published. Then it
 * measures produce→commit latency at fixed live rates (the pipeline's own generator, event timestamp = send
 * time, commit time from PostgreSQL's track_commit_timestamp) and PostgreSQL's own COPY rate for the same
 * table ({@link CopyCeiling}). It prints one table and writes {@code target/bench/result.json}.
 *
 * <p>{@code --sink-forms} instead compares INSERT forms ({@link SinkForms}). Everything here blocks: it runs
 * on the main thread, never on an event loop.
 */
public final class BenchRunner {
  private static final Logger log = LoggerFactory.getLogger(BenchRunner.class);
  private static final int PARTITIONS = Topics.EVENT_PARTITIONS;
  private static final long POLL_MS = 50;

  private final PipelineConfig config;
  private final Map<String, String> env;
  private final String[] args;
  private final BenchOptions options;
  private final JsonObject result = new JsonObject();

  private BenchRunner(PipelineConfig config, Map<String, String> env, String[] args, BenchOptions options) {
    this.config = config;
    this.env = env;
    this.args = args;
    this.options = options;
  }

  /** Runs the benchmark the flags ask for; returns the process exit code (0 when it completed). */
  public static int run(PipelineConfig config, Map<String, String> env, String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(config.pipelineInstances(), env, args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    try {
      Files.createDirectories(options.outDir());
      BenchRunner runner = new BenchRunner(config, env, args, options);
      return options.sinkForms() ? runner.sinkForms() : runner.replay();
    } catch (Exception e) {
      log.error("bench failed: {}", e.toString(), e);
      return 1;
    }
  }

  private int replay() throws Exception {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    String id = "bench-" + stamp.replace('_', '-');
    long seed = config.producerSeed() != null ? config.producerSeed() : Preload.DEFAULT_SEED;
    if (System.currentTimeMillis() < Preload.EVENT_TIME_START + Preload.SPAN_MS + 3_600_000L) {
      throw new IllegalStateException("the clock is before the replay's fixed event time; cannot close windows");
    }
    try (BenchInfra infra = BenchInfra.start(config, options)) {
      boolean commitTimes = infra.enableCommitTimestamps();
      String database = infra.createDatabase("bench_" + stamp);
      String topic = id + ".events";
      Topics.ensure(infra.bootstrapServers, Map.of(topic, PARTITIONS, id + ".aggregated", Topics.AGGREGATED_PARTITIONS,
          id + ".dlq", Topics.DLQ_PARTITIONS));
      Map<String, String> pipelineKeys = pipelineKeys(infra, database, id);
      PipelineConfig pipeline = derive(pipelineKeys, Map.of());
      describeSetup(infra, pipeline, seed, commitTimes);

      log.info("bench: pre-loading {} events into {} ({} partitions)", config.benchEvents(), topic, PARTITIONS);
      Preload.Result preload = Preload.run(infra.bootstrapServers, topic, PARTITIONS, config.benchEvents(), seed,
          pipeline.producerNumUsers(), pipeline.producerNumProducts(), pipeline.producerErrorRate(),
          WindowSettings.from(pipeline));
      log.info("bench: pre-loaded {} events ({} MB) in {} s: {} valid, {} bots, {} invalid, {} undecodable; "
              + "{} window rows expected", preload.events(), preload.bytes() >> 20, round1(preload.seconds()),
          preload.valid(), preload.bots(), preload.invalid(), preload.undecodable(), preload.expectedWindows());

      ReplayMeasurement replay;
      Application app = null;
      Process second = null;
      try (ResourceSampler sampler = new ResourceSampler()) {
        sampler.reset();
        long launched = System.nanoTime();
        if (options.processes() == 2) {
          second = startSecondProcess(pipelineKeys);
          sampler.watchProcess(second.pid());
        }
        CpuAccount cpu = CpuAccount.snapshot(infra.postmasterPid(), second == null ? -1 : second.pid());
        try (Connection db = infra.connect(database)) {
          app = new Application(pipeline).start();
          // Lanes are deployed last and join the group after start() returns, so the first poll comes later.
          FirstPoll firstPoll = new FirstPoll(app.metrics()::totalConsumed);
          replay = awaitReplay(db, pipeline, preload, launched, firstPoll);
          firstPoll.stop();
          result.put("cpu_seconds", CpuAccount.since(cpu));
          result.put("sink", sinkFigures(app, replay));
          replay = replay.withMemory(sampler);
          verify(db, preload, replay);
          if (replay.complete()) {
            liveLatency(app, infra, db, pipeline, topic, seed, commitTimes);
          }
        } finally {
          stopSecondProcess(second);
          if (app != null) {
            app.stop();
          }
        }
      }
      if (options.copy() && replay.complete()) {
        log.info("bench: measuring PostgreSQL's COPY ceiling for clickstream_events");
        CopyCeiling.Result copy = CopyCeiling.measure(() -> infra.connect(database), options.outDir());
        result.put("copy_rows", copy.rows());
        result.put("copy_rows_per_second", Math.round(copy.rowsPerSecondOneConnection()));
        result.put("copy_rows_per_second_2_connections", Math.round(copy.rowsPerSecondTwoConnections()));
      }
      report(preload, replay);
      return replay.complete() ? 0 : 1;
    }
  }

  /** What a pipeline process of this run needs, as configuration keys (also the second process's env). */
  private Map<String, String> pipelineKeys(BenchInfra infra, String database, String id) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("ROLES", "pipeline");
    keys.put("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers);
    keys.put("POSTGRES_HOST", infra.pgHost);
    keys.put("POSTGRES_PORT", String.valueOf(infra.pgPort));
    keys.put("POSTGRES_DATABASE", database);
    keys.put("POSTGRES_USER", infra.pgUser);
    keys.put("POSTGRES_PASSWORD", infra.pgPassword);
    keys.put("KAFKA_CLICKSTREAM_TOPIC", id + ".events");
    keys.put("KAFKA_AGGREGATED_TOPIC", id + ".aggregated");
    keys.put("KAFKA_DLQ_TOPIC", id + ".dlq");
    keys.put("KAFKA_CONSUMER_GROUP", id + "-group");
    keys.put("PIPELINE_INSTANCES", String.valueOf(options.lanes()));
    keys.put("WINDOW_IDLE_SECONDS", seconds(config.idleMs(), "WINDOW_IDLE_SECONDS"));
    keys.put("SINK_FLUSH_INTERVAL_SECONDS", seconds(config.sinkFlushIntervalMs(), "SINK_FLUSH_INTERVAL_SECONDS"));
    return keys;
  }

  /** The bench's default of 1 s unless the key was given (environment or flag). */
  private String seconds(long configuredMs, String key) {
    String flag = "--" + key.toLowerCase(Locale.ROOT).replace('_', '-') + "=";
    boolean given = env.containsKey(key) || Arrays.stream(args).anyMatch(a -> a.startsWith(flag));
    return given ? String.valueOf(configuredMs / 1000.0) : "1";
  }

  /** The configuration as the user gave it, with these keys forced (and free ports for this process). */
  private PipelineConfig derive(Map<String, String> keys, Map<String, String> more) {
    List<String> flags = new ArrayList<>(List.of(args));
    Map<String, String> all = new LinkedHashMap<>(keys);
    all.put("METRICS_PORT", String.valueOf(Ports.free()));
    all.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    all.putAll(more);
    all.forEach((k, v) -> flags.add("--" + k.toLowerCase(Locale.ROOT).replace('_', '-') + "=" + v));
    return ConfigLoader.load(env, flags.toArray(new String[0]));
  }

  private void describeSetup(BenchInfra infra, PipelineConfig pipeline, long seed, boolean commitTimes) {
    result.put("lanes", options.lanes());
    result.put("processes", options.processes());
    result.put("seed", seed);
    result.put("users", pipeline.producerNumUsers());
    result.put("products", pipeline.producerNumProducts());
    result.put("error_rate", pipeline.producerErrorRate());
    result.put("event_time_from", Instant.ofEpochMilli(Preload.EVENT_TIME_START).toString());
    result.put("event_time_to", Instant.ofEpochMilli(Preload.EVENT_TIME_START + Preload.SPAN_MS).toString());
    result.put("sink_batch_size", pipeline.sinkBatchSize());
    result.put("sink_flush_interval_seconds", pipeline.sinkFlushIntervalMs() / 1000.0);
    result.put("window_idle_seconds", pipeline.idleMs() / 1000.0);
    result.put("max_in_flight_events", pipeline.maxInFlightEvents());
    result.put("cores", Runtime.getRuntime().availableProcessors());
    result.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    result.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    result.put("kafka", infra.bootstrapServers + (config.kafkaBootstrapServers() == null ? " (embedded, in this JVM)"
        : ""));
    result.put("postgres", infra.pgHost + ":" + infra.pgPort + (infra.embeddedPostgres() ? " (embedded)" : "")
        + ", server " + infra.setting("server_version"));
    result.put("postgres_settings", new JsonObject().put("synchronous_commit", infra.setting("synchronous_commit"))
        .put("fsync", infra.setting("fsync")).put("shared_buffers", infra.setting("shared_buffers"))
        .put("track_commit_timestamp", infra.setting("track_commit_timestamp")));
    result.put("latency_commit_clock", commitTimes ? "pg_xact_commit_timestamp (exact commit time)"
        : "ingested_at (transaction start: slightly early)");
    result.put("started_at", Instant.now().toString());
  }

  /** Timings of the replay. */
  private record ReplayMeasurement(boolean complete, double startupSeconds, double secondsToLastRow,
      double seconds, double tailSeconds, long offsets, long windows, long heapBytes, long liveHeapBytes,
      long rssBytes, long otherRssBytes) {

    ReplayMeasurement withMemory(ResourceSampler s) {
      return new ReplayMeasurement(complete, startupSeconds, secondsToLastRow, seconds, tailSeconds, offsets,
          windows, s.peakHeapBytes(), s.peakLiveHeapBytes(), s.peakRssBytes(), s.peakOtherRssBytes());
    }
  }

  private static final String PROGRESS = "SELECT "
      + "(SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints WHERE consumer_group = ? AND topic = ?), "
      + "(SELECT count(*) FROM aggregated_metrics), "
      + "(SELECT count(*) FROM aggregated_metrics WHERE NOT published), "
      + "(SELECT count(*) FROM dead_letter_events WHERE NOT published)";

  /**
   * Polls PostgreSQL every 50 ms: done when the committed offsets cover every pre-loaded record (so every row
   * is committed: offsets commit in the same transaction as their rows) and all expected window rows exist
   * and are published (dead letters too).
   */
  private ReplayMeasurement awaitReplay(Connection db, PipelineConfig pipeline, Preload.Result preload,
      long launched, FirstPoll firstPoll) throws SQLException, InterruptedException {
    long deadline = launched + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
    long lastRowAt = -1;
    long offsets = 0;
    long windows = 0;
    long lastLog = System.nanoTime();
    try (PreparedStatement progress = db.prepareStatement(PROGRESS)) {
      progress.setString(1, pipeline.consumerGroup());
      progress.setString(2, pipeline.clickstreamTopic());
      while (System.nanoTime() < deadline) {
        long unpublished;
        try (ResultSet rs = progress.executeQuery()) {
          rs.next();
          offsets = rs.getLong(1);
          windows = rs.getLong(2);
          unpublished = rs.getLong(3) + rs.getLong(4);
        }
        long now = System.nanoTime();
        if (offsets >= preload.events() && lastRowAt < 0) {
          lastRowAt = now;
        }
        if (lastRowAt > 0 && windows >= preload.expectedWindows() && unpublished == 0) {
          long first = firstPoll.atNanos() > 0 ? firstPoll.atNanos() : launched;
          result.put("first_poll_seen", firstPoll.exact());
          return new ReplayMeasurement(true, (first - launched) / 1e9, (lastRowAt - first) / 1e9,
              (now - first) / 1e9, (now - lastRowAt) / 1e9, offsets, windows, 0, 0, 0, 0);
        }
        if (now - lastLog > TimeUnit.SECONDS.toNanos(5)) {
          lastLog = now;
          log.info("bench: {} of {} records committed, {} of {} window rows, {} unpublished", offsets,
              preload.events(), windows, preload.expectedWindows(), unpublished);
        }
        Thread.sleep(POLL_MS);
      }
    }
    log.error("bench: gave up after {} s: {} of {} records committed, {} of {} window rows",
        options.timeoutSeconds(), offsets, preload.events(), windows, preload.expectedWindows());
    return new ReplayMeasurement(false, 0, 0, 0, 0, offsets, windows, 0, 0, 0, 0);
  }

  /**
   * The sink's own meters over the replay: checkpoints (transactions), their total time (busy close to the
   * replay time means one lane's sink, which runs one transaction at a time, is the limit) and the window
   * state written with them.
   */
  private static JsonObject sinkFigures(Application app, ReplayMeasurement replay) {
    io.micrometer.core.instrument.MeterRegistry registry = app.metrics().registry();
    JsonObject sink = new JsonObject();
    io.micrometer.core.instrument.Timer checkpoints = registry.find("stream_pipeline_checkpoint_duration").timer();
    if (checkpoints != null) {
      double busy = checkpoints.totalTime(TimeUnit.MILLISECONDS) / 1000.0;
      sink.put("checkpoints", checkpoints.count()).put("checkpoint_seconds_total", round3(busy))
          .put("checkpoint_ms_mean", round3(checkpoints.mean(TimeUnit.MILLISECONDS)))
          .put("checkpoint_ms_max", round3(checkpoints.max(TimeUnit.MILLISECONDS)));
      if (replay.complete()) {
        sink.put("busy_fraction_of_replay", round3(busy / replay.seconds()));
      }
    }
    io.micrometer.core.instrument.DistributionSummary state =
        registry.find("stream_pipeline_checkpoint_state_bytes").summary();
    if (state != null) {
      sink.put("state_mb_written", round3(state.totalAmount() / (1 << 20)))
          .put("state_kb_per_checkpoint_mean", Math.round(state.mean() / 1024));
    }
    io.micrometer.core.instrument.DistributionSummary batch = registry.find("stream_pipeline_sink_batch_size").summary();
    if (batch != null) {
      sink.put("events_per_checkpoint_mean", Math.round(batch.mean()))
          .put("events_per_checkpoint_max", Math.round(batch.max()));
    }
    return sink;
  }

  /** Untimed: the tables hold exactly what the pre-load said they must. */
  private void verify(Connection db, Preload.Result preload, ReplayMeasurement replay) throws SQLException {
    long rows = count(db, "SELECT count(*) FROM clickstream_events");
    long deadLetters = count(db, "SELECT count(*) FROM dead_letter_events");
    long windows = count(db, "SELECT count(*) FROM aggregated_metrics");
    boolean exact = rows == preload.valid() && deadLetters == preload.invalid() + preload.undecodable()
        && windows == preload.expectedWindows();
    result.put("verified", exact);
    result.put("rows", rows);
    result.put("dead_letters", deadLetters);
    result.put("windows", windows);
    if (!exact) {
      log.warn("bench: tables differ from what was sent: {} rows (expected {}), {} dead letters (expected {}), "
              + "{} windows (expected {})", rows, preload.valid(), deadLetters,
          preload.invalid() + preload.undecodable(), windows, preload.expectedWindows());
    }
  }

  /**
   * For each live rate: the pipeline's own generator sends rate × live-seconds events stamped with the wall
   * clock; once they are all committed, PostgreSQL gives each row's commit time.
   */
  private void liveLatency(Application app, BenchInfra infra, Connection db, PipelineConfig pipeline,
      String topic, long seed, boolean commitTimes) throws Exception {
    JsonArray phases = new JsonArray();
    for (int rate : options.liveRates()) {
      long events = (long) rate * options.liveSeconds();
      PipelineConfig generatorConfig = derive(Map.of("KAFKA_CLICKSTREAM_TOPIC", topic),
          Map.of("PRODUCER_EVENTS_PER_SECOND", String.valueOf(rate), "PRODUCER_MAX_EVENTS", String.valueOf(events),
              "PRODUCER_SEED", String.valueOf(seed + rate)));
      log.info("bench: live phase, {} events/s for {} s", rate, options.liveSeconds());
      GeneratorVerticle generator = new GeneratorVerticle(generatorConfig, infra.bootstrapServers, app.metrics());
      long from = System.currentTimeMillis();
      String deployment = SinkForms.await(app.vertx().deployVerticle(generator));
      SinkForms.await(generator.finished());
      long to = System.currentTimeMillis();
      SinkForms.await(app.vertx().undeploy(deployment));
      awaitCommitted(db, infra.bootstrapServers, pipeline, topic);
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

  private void awaitCommitted(Connection db, String bootstrap, PipelineConfig pipeline, String topic)
      throws Exception {
    long end = endOffsets(bootstrap, topic);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    try (PreparedStatement st = db.prepareStatement("SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints "
        + "WHERE consumer_group = ? AND topic = ?")) {
      st.setString(1, pipeline.consumerGroup());
      st.setString(2, topic);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          if (rs.getLong(1) >= end) {
            return;
          }
        }
        Thread.sleep(POLL_MS);
      }
    }
    throw new IllegalStateException("live events not all committed after 5 minutes");
  }

  private static long endOffsets(String bootstrap, String topic) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).values().stream()
          .mapToLong(info -> info.offset()).sum();
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

  private Process startSecondProcess(Map<String, String> keys) throws IOException {
    String jar = Path.of(BenchRunner.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-Xmx") || arg.startsWith("-Xms")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-jar", jar));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(options.outDir().resolve("process-2.log").toFile());
    builder.environment().putAll(keys);
    builder.environment().put("METRICS_PORT", String.valueOf(Ports.free()));
    log.info("bench: second pipeline process: {} (log in {})", String.join(" ", command),
        options.outDir().resolve("process-2.log"));
    return builder.start();
  }

  private static void stopSecondProcess(Process second) throws InterruptedException {
    if (second != null && second.isAlive()) {
      second.destroy();
      if (!second.waitFor(90, TimeUnit.SECONDS)) {
        second.destroyForcibly();
      }
    }
  }

  private void report(Preload.Result preload, ReplayMeasurement replay) throws IOException {
    long rows = result.getLong("rows", preload.valid());
    result.put("complete", replay.complete());
    result.put("events", preload.events());
    result.put("seconds", round3(replay.seconds()));
    result.put("events_per_second", replay.complete() ? Math.round(preload.events() / replay.seconds()) : 0);
    result.put("rows_per_second", replay.complete() ? Math.round(rows / replay.seconds()) : 0);
    result.put("seconds_to_last_row", round3(replay.secondsToLastRow()));
    result.put("events_per_second_to_last_row",
        replay.complete() ? Math.round(preload.events() / replay.secondsToLastRow()) : 0);
    result.put("tail_seconds", round3(replay.tailSeconds()));
    result.put("startup_seconds", round3(replay.startupSeconds()));
    result.put("bots", preload.bots());
    result.put("expected_windows", preload.expectedWindows());
    result.put("preload_seconds", round3(preload.seconds()));
    result.put("preload_mb", preload.bytes() >> 20);
    result.put("peak_heap_mb", replay.heapBytes() >> 20);
    result.put("peak_heap_after_gc_mb", replay.liveHeapBytes() >> 20);
    result.put("peak_rss_mb", replay.rssBytes() >> 20);
    if (options.processes() == 2) {
      result.put("peak_rss_mb_second_process", replay.otherRssBytes() >> 20);
    }
    result.put("finished_at", Instant.now().toString());
    Path file = options.outDir().resolve("result.json");
    Files.writeString(file, result.encodePrettily() + "\n");
    StringBuilder table = new StringBuilder("\nstream-pipeline bench\n");
    row(table, "events", preload.events() + " (" + preload.valid() + " valid, " + preload.bots() + " bots, "
        + (preload.invalid() + preload.undecodable()) + " to DLQ)");
    row(table, "lanes x processes", options.lanes() + " x " + options.processes());
    row(table, "replay", replay.complete() ? round3(replay.seconds()) + " s, first poll to all rows and windows"
        : "INCOMPLETE (see log)");
    row(table, "events/s", result.getValue("events_per_second"));
    row(table, "rows/s", result.getValue("rows_per_second"));
    row(table, "to last row", round3(replay.secondsToLastRow()) + " s (" + result.getValue(
        "events_per_second_to_last_row") + " events/s), windows tail " + round3(replay.tailSeconds()) + " s");
    row(table, "window rows", result.getValue("windows") + " (expected " + preload.expectedWindows() + ")");
    row(table, "verified", result.getValue("verified"));
    JsonArray live = result.getJsonArray("live", new JsonArray());
    for (int i = 0; i < live.size(); i++) {
      JsonObject phase = live.getJsonObject(i);
      row(table, "latency @ " + phase.getValue("rate") + "/s", "p50 " + phase.getValue("p50_ms") + " ms, p95 "
          + phase.getValue("p95_ms") + " ms, p99 " + phase.getValue("p99_ms") + " ms, max "
          + phase.getValue("max_ms") + " ms (" + phase.getValue("rows") + " rows)");
    }
    row(table, "peak heap", (replay.heapBytes() >> 20) + " MB used, " + (replay.liveHeapBytes() >> 20)
        + " MB after GC (max " + result.getValue("max_heap_mb") + " MB)");
    row(table, "peak RSS", (replay.rssBytes() >> 20) + " MB (this JVM, embedded Kafka included)"
        + (options.processes() == 2 ? "; second process " + (replay.otherRssBytes() >> 20) + " MB" : ""));
    JsonObject sink = result.getJsonObject("sink");
    if (sink != null && sink.containsKey("checkpoints")) {
      row(table, "checkpoints", sink.getValue("checkpoints") + " transactions, mean " + sink.getValue(
          "checkpoint_ms_mean") + " ms, " + sink.getValue("events_per_checkpoint_mean") + " events and "
          + sink.getValue("state_kb_per_checkpoint_mean") + " KB of window state each; sink busy "
          + Math.round(100 * sink.getDouble("busy_fraction_of_replay", 0.0)) + "% of the replay");
    }
    JsonObject cpu = result.getJsonObject("cpu_seconds");
    if (cpu != null) {
      row(table, "CPU seconds", "pipeline JVM " + cpu.getValue("jvm") + " (event loops "
          + cpu.getJsonObject("jvm_by_thread").getValue("vertx_event_loops") + ", broker "
          + cpu.getJsonObject("jvm_by_thread").getValue("kafka_broker") + ", GC/JIT "
          + cpu.getJsonObject("jvm_by_thread").getValue("gc_jit_and_other_native") + "), PostgreSQL " + cpu.getValue("postgres")
          + (cpu.containsKey("second_process") ? ", second process " + cpu.getValue("second_process") : "")
          + ", other programs " + cpu.getValue("other_programs") + " of " + cpu.getValue("machine_capacity")
          + " over " + cpu.getValue("wall_seconds") + " s");
    }
    if (result.containsKey("copy_rows_per_second")) {
      row(table, "COPY ceiling", result.getValue("copy_rows_per_second") + " rows/s (1 connection), "
          + result.getValue("copy_rows_per_second_2_connections") + " rows/s (2)");
    }
    row(table, "result", file.toAbsolutePath().normalize());
    System.out.println(table);
  }

  private int sinkForms() throws Exception {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    int n = options.sinkFormRows();
    long seed = config.producerSeed() != null ? config.producerSeed() : Preload.DEFAULT_SEED;
    List<EnrichedEvent> rows = new ArrayList<>(n);
    EventFactory factory = new EventFactory(seed, config.producerNumUsers(), config.producerNumProducts(),
        config.sessionTimeoutMs(), 0);
    for (long i = 0; rows.size() < n; i++) {
      GeneratedMessage m = factory.next(Preload.EVENT_TIME_START + i * 7);
      if (m.kind() == GeneratedMessage.Kind.VALID) {
        rows.add(EventRules.enrich(EventRules.normalize(m.event()), 0, i));
      }
    }
    try (BenchInfra infra = BenchInfra.start(config, options)) {
      String database = infra.createDatabase("bench_forms_" + stamp);
      infra.execute(database, io.streampipeline.infra.Schema.initSql());
      PgConnectOptions pg = new PgConnectOptions().setHost(infra.pgHost).setPort(infra.pgPort).setDatabase(database)
          .setUser(infra.pgUser).setPassword(infra.pgPassword).setCachePreparedStatements(true)
          .setPipeliningLimit(256);
      Vertx vertx = Vertx.vertx();
      List<SinkForms.Measurement> measured;
      try {
        measured = SinkForms.run(vertx, pg, () -> infra.connect(database), rows);
      } finally {
        SinkForms.await(vertx.close());
      }
      JsonArray out = new JsonArray();
      StringBuilder table = new StringBuilder("\nstream-pipeline bench --sink-forms: " + n
          + " rows into a fresh copy of clickstream_events (same indexes), autocommit per statement\n");
      table.append(String.format("  %-8s %14s %12s %14s%n", "form", "rows/statement", "connections", "rows/s"));
      for (SinkForms.Measurement m : measured) {
        out.add(new JsonObject().put("form", m.form()).put("rows_per_statement", m.rowsPerStatement())
            .put("connections", m.connections()).put("rows", m.rows()).put("seconds", round3(m.seconds()))
            .put("rows_per_second", Math.round(m.rowsPerSecond())));
        table.append(String.format("  %-8s %14s %12d %,14d%n", m.form(),
            m.form().equals("copy") ? "all" : String.valueOf(m.rowsPerStatement()), m.connections(),
            Math.round(m.rowsPerSecond())));
      }
      JsonObject json = new JsonObject().put("rows", n).put("cores", Runtime.getRuntime().availableProcessors())
          .put("postgres_settings", new JsonObject().put("synchronous_commit", infra.setting("synchronous_commit"))
              .put("fsync", infra.setting("fsync")))
          .put("forms", out).put("finished_at", Instant.now().toString());
      Path file = options.outDir().resolve("sink-forms.json");
      Files.writeString(file, json.encodePrettily() + "\n");
      table.append("  result: ").append(file.toAbsolutePath().normalize());
      System.out.println(table);
      return 0;
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void row(StringBuilder table, String name, Object value) {
    table.append(String.format("  %-20s %s%n", name, value));
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
