package io.streampipeline.bench;

import io.streampipeline.app.Application;
import io.streampipeline.app.ConfigLoader;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import io.streampipeline.window.WindowSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private static final long SECOND_PROCESS_STOP_SECONDS = 90;
  /** The replay's events must be older than this when it starts, so that the idle rule can close them all. */
  private static final long CLOCK_MARGIN_MS = 3_600_000L;

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
      return options.sinkForms() ? SinkForms.measure(config, options) : runner.replay();
    } catch (Exception e) {
      log.error("bench failed: {}", e.toString(), e);
      return 1;
    }
  }

  private int replay() throws Exception {
    String stamp = stamp();
    String id = "bench-" + stamp.replace('_', '-');
    long seed = config.producerSeed() != null ? config.producerSeed() : Preload.DEFAULT_SEED;
    if (System.currentTimeMillis() < Preload.EVENT_TIME_START + Preload.SPAN_MS + CLOCK_MARGIN_MS) {
      throw new IllegalStateException("the clock is before the replay's fixed event time; cannot close windows");
    }
    try (BenchInfra infra = BenchInfra.start(config, options)) {
      boolean commitTimes = infra.enableCommitTimestamps();
      String database = infra.createDatabase("bench_" + stamp);
      String topic = id + ".events";
      Topics.ensure(infra.bootstrapServers, infra.endpoints.kafkaProperties(), Map.of(topic, PARTITIONS,
          id + ".aggregated", Topics.AGGREGATED_PARTITIONS, id + ".dlq", Topics.DLQ_PARTITIONS),
          Topics.Creation.DEFAULT);
      Map<String, String> pipelineKeys = pipelineKeys(infra, database, id);
      PipelineConfig pipeline = derive(pipelineKeys, Map.of());
      describeSetup(infra, pipeline, seed, commitTimes);

      log.info("bench: pre-loading {} events into {} ({} partitions)", config.benchEvents(), topic, PARTITIONS);
      Preload.Result preload = Preload.run(infra.bootstrapServers, infra.endpoints.kafkaProperties(), topic, PARTITIONS, config.benchEvents(), seed,
          pipeline.producerNumUsers(), pipeline.producerNumProducts(), pipeline.producerErrorRate(),
          WindowSettings.from(pipeline));
      log.info("bench: pre-loaded {} events ({} MB) in {} s: {} valid, {} bots, {} invalid, {} undecodable; "
              + "{} window rows expected", preload.events(), preload.bytes() >> 20, BenchReport.round1(preload.seconds()),
          preload.valid(), preload.bots(), preload.invalid(), preload.undecodable(), preload.expectedWindows());

      ReplayRun replayRun = new ReplayRun(result, options.timeoutSeconds());
      ReplayRun.Measurement replay;
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
          replay = replayRun.await(db, pipeline, preload, launched, firstPoll);
          firstPoll.stop();
          result.put("cpu_seconds", CpuAccount.since(cpu));
          result.put("sink", ReplayRun.sinkFigures(app, replay));
          replay = replay.withMemory(sampler);
          replayRun.verify(db, preload);
          if (replay.complete()) {
            new LiveLatency(options, result, more -> derive(Map.of("KAFKA_CLICKSTREAM_TOPIC", topic), more))
                .measure(app, infra.endpoints, db, pipeline, topic, PARTITIONS, seed, commitTimes);
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
      BenchReport.write(result, options, preload, replay);
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
    infra.endpoints.kafkaProperties().asMap().forEach((name, value) ->
        keys.put("KAFKA_PROPERTY_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
    keys.put("POSTGRES_SSL_MODE", infra.endpoints.pgSslMode().libpqName());
    if (infra.endpoints.pgSslRootCert() != null) {
      keys.put("POSTGRES_SSL_ROOT_CERT", infra.endpoints.pgSslRootCert().toString());
    }
    keys.put("POSTGRES_POOL_SIZE", String.valueOf(config.connections().postgresPoolSize()));
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

  private Process startSecondProcess(Map<String, String> keys) throws IOException {
    String jar = Path.of(BenchRunner.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
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
      if (!second.waitFor(SECOND_PROCESS_STOP_SECONDS, TimeUnit.SECONDS)) {
        second.destroyForcibly();
      }
    }
  }

  /** A UTC time stamp for the names of this run's database and topics. */
  static String stamp() {
    return DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
  }
}
