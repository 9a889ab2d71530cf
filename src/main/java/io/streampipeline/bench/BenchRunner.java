package io.streampipeline.bench;

import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.ConfigName;
import io.streampipeline.config.IdleRule;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import io.streampipeline.window.WindowSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * WINDOW_IDLE_SECONDS and SINK_FLUSH_INTERVAL_SECONDS default to 1 and WINDOW_IDLE_RULE is wall-clock here, so
 * the windows still open when the replay ends close within seconds), and measures from the first poll that
 * returns records until the last offset is committed with its rows AND every window row the events make is
 * written and published. Then it measures produce→commit latency at fixed live rates (the pipeline's own
 * generator, event timestamp = send time, commit time from PostgreSQL's track_commit_timestamp) and PostgreSQL's
 * own COPY rate for the same table ({@link CopyCeiling}). It prints one table and writes
 * {@code target/bench/result.json}.
 *
 * <p>{@code --sink-forms} instead compares INSERT forms ({@link SinkForms}). Everything here blocks: it runs
 * on the main thread, never on an event loop.
 */
public final class BenchRunner {
  private static final Logger log = LoggerFactory.getLogger(BenchRunner.class);
  private static final int PARTITIONS = Topics.EVENT_PARTITIONS;
  private static final long CHILD_START_SECONDS = 180;
  /** The replay's events must be older than this when it starts, so that the idle rule can close them all. */
  private static final long CLOCK_MARGIN_MS = 3_600_000L;

  private final PipelineConfig config;
  private final Map<String, String> env;
  private final String[] args;
  private final BenchOptions options;
  private final PipelineLauncher launcher;
  private final JsonObject result = new JsonObject();

  private BenchRunner(PipelineConfig config, Map<String, String> env, String[] args, BenchOptions options,
      PipelineLauncher launcher) {
    this.config = config;
    this.env = env;
    this.args = args;
    this.options = options;
    this.launcher = launcher;
  }

  /** Runs the benchmark the flags ask for; returns the process exit code (0 when it completed). */
  public static int run(PipelineConfig config, Map<String, String> env, String[] args,
      PipelineLauncher launcher) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(config.lanes().instances(), env, args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    try {
      Files.createDirectories(options.outDir());
      BenchRunner runner = new BenchRunner(config, env, args, options, launcher);
      return options.sinkForms() ? SinkForms.measure(config, options) : runner.replay();
    } catch (Exception e) {
      log.error("bench failed: {}", e.toString(), e);
      return 1;
    }
  }

  private int replay() throws Exception {
    String stamp = stamp();
    String id = "bench-" + stamp.replace('_', '-');
    long seed = config.generator().seed() != null ? config.generator().seed() : Preload.DEFAULT_SEED;
    if (System.currentTimeMillis() < Preload.EVENT_TIME_START + Preload.SPAN_MS + CLOCK_MARGIN_MS) {
      throw new IllegalStateException("the clock is before the replay's fixed event time; cannot close windows");
    }
    try (BenchInfra infra = BenchInfra.start(config, options)) {
      boolean commitTimes = infra.enableCommitTimestamps();
      if (options.alternative() != null) {
        infra.allowPreparedTransactions();
      }
      String database = infra.createDatabase("bench_" + stamp);
      String topic = id + ".events";
      Topics.ensure(infra.bootstrapServers, infra.endpoints.kafkaProperties(), Map.of(topic, PARTITIONS,
          id + ".aggregated", Topics.AGGREGATED_PARTITIONS, id + ".dlq", Topics.DLQ_PARTITIONS),
          Topics.Creation.DEFAULT);
      Map<String, String> pipelineKeys = pipelineKeys(infra, database, id);
      PipelineConfig pipeline = derive(pipelineKeys, Map.of());
      describeSetup(infra, pipeline, seed, commitTimes);
      warmUp(infra, stamp, seed);

      log.info("bench: pre-loading {} events into {} ({} partitions)", config.benchEvents(), topic, PARTITIONS);
      Preload.Result preload = Preload.run(infra.bootstrapServers, infra.endpoints.kafkaProperties(), topic,
          PARTITIONS, config.benchEvents(), seed, pipeline.generator().numUsers(), pipeline.generator().numProducts(),
          pipeline.generator().errorRate(), WindowSettings.from(pipeline));
      log.info("bench: pre-loaded {} events ({} MB) in {} s: {} valid, {} bots, {} invalid, {} undecodable; "
              + "{} window rows expected", preload.events(), preload.bytes() >> 20,
          BenchReport.round1(preload.seconds()), preload.valid(), preload.bots(), preload.invalid(),
          preload.undecodable(), preload.expectedWindows());

      if (options.alternative() != null) {
        return alternative(infra, database, id, preload, WindowSettings.from(pipeline));
      }
      ReplayRun replayRun = new ReplayRun(result, options.timeoutSeconds());
      ReplayRun.Measurement replay;
      BenchedPipeline app = null;
      PipelineJvms children = null;
      // The schema first (untimed, as in a fresh deployment), so that N processes do not race to create it and
      // the progress queries find their tables from the start.
      infra.migrate(database);
      try (ResourceSampler sampler = new ResourceSampler()) {
        sampler.reset();
        long launched = System.nanoTime();
        int firstChild = options.separateJvm() ? 1 : 2;
        children = PipelineJvms.start(firstChild, options.processes(), pipelineKeys, args, options,
            launcher.childMainClass());
        children.pids().forEach(sampler::watchProcess);
        CpuAccount cpu = CpuAccount.snapshot(infra.postmasterPid(), children.pids());
        try (Connection db = infra.connect(database)) {
          FirstPoll firstPoll = null;
          if (!options.separateJvm()) {
            // The other processes first: they take longer to start (a JVM each), and the bench's own one would
            // otherwise read most of a small replay alone before they join.
            children.awaitStarted(CHILD_START_SECONDS);
            app = launcher.create(pipeline).start();
            sampler.watchSessions(PipelineChild.openSessions(app.metrics().registry()));
            // Lanes are deployed last and join the group after start() returns, so the first poll comes later.
            firstPoll = new FirstPoll(app.metrics()::totalConsumed);
          }
          replay = replayRun.await(db, pipeline, preload, launched, new EarliestFirstPoll(firstPoll, children));
          if (firstPoll != null) {
            firstPoll.stop();
          }
          result.put("cpu_seconds", CpuAccount.since(cpu));
          List<JsonObject> reports = children.reports();
          if (app != null) {
            result.put("sink", ReplayRun.sinkFigures(app, replay));
          } else if (reports.size() == 1) {
            result.put("sink", ReplayRun.withBusyFraction(reports.get(0).getJsonObject("sink", new JsonObject()),
                replay));
          }
          replay = replay.withMemory(sampler);
          result.put("open_sessions_at_peak_heap_after_gc", sampler.sessionsAtPeakLiveHeap());
          result.put("peak_open_sessions", sampler.peakSessions());
          ProcessFigures.put(result, reports, sampler, replay, options.separateJvm());
          replayRun.verify(db, preload);
          if (replay.complete()) {
            replayRun.verifyTopics(infra.endpoints, db, id + ".aggregated", id + ".dlq");
          }
          if (replay.complete() && app != null) {
            new LiveLatency(options, result, more -> derive(Map.of("KAFKA_CLICKSTREAM_TOPIC", topic), more))
                .measure(app, infra.endpoints, db, pipeline, topic, PARTITIONS, seed, commitTimes);
          } else if (app == null && !options.liveRates().isEmpty()) {
            log.info("bench: no live phases with --separate-jvm (they run on the bench's in-process pipeline)");
          }
        } finally {
          if (children != null) {
            children.close();
          }
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
      // A replay that stored or sent anything other than what it should is a failed run, however fast; its
      // files stay for a look.
      boolean passed = replay.complete() && result.getBoolean("verified", false);
      if (passed) {
        infra.removeDataOnClose();
      }
      return passed ? 0 : 1;
    }
  }

  /**
   * {@code --alternative}: the other system's job replays the same pre-loaded topic into a database with the
   * pipeline's schema; result.json gets its figures under "alternative" and, at the top, the events/s and
   * "verified" the summary scripts read.
   */
  private int alternative(BenchInfra infra, String database, String id, Preload.Result preload,
      WindowSettings windows) throws Exception {
    infra.migrate(database);
    String output = id + ".alternative-windows";
    Topics.ensure(infra.bootstrapServers, infra.endpoints.kafkaProperties(), Map.of(output, PARTITIONS),
        Topics.Creation.DEFAULT);
    JsonObject figures = new AlternativeRun(infra, options)
        .replay(database, id + ".events", output, id + "-alternative", preload, windows);
    boolean verified = figures.getBoolean("verified", false);
    result.put("alternative", figures).put("verified", verified).put("events", preload.events())
        .put("events_per_second", figures.getLong("events_per_second", 0L));
    if (options.copy() && verified && figures.getLong("rows", 0L) > 0) {
      CopyCeiling.Result copy = CopyCeiling.measure(() -> infra.connect(database), options.outDir());
      result.put("copy_rows_per_second", Math.round(copy.rowsPerSecondOneConnection()));
    }
    Path file = options.outDir().resolve("result.json");
    Files.writeString(file, result.encodePrettily() + "\n");
    System.out.printf(Locale.ROOT, "%n%s: %s events/s, job JVM %s µs/event (%s without its JIT), PostgreSQL %s "
            + "µs/event, verified %s, other programs %s CPU s; %s%n", options.alternative(),
        figures.getLong("events_per_second", 0L), figures.getValue("job_cpu_us_per_event"),
        figures.getValue("job_cpu_us_per_event_without_jit"), figures.getValue("postgres_cpu_us_per_event"),
        verified, figures.getJsonObject("cpu_seconds", new JsonObject()).getValue("other_programs"), file);
    if (verified) {
      infra.removeDataOnClose();
    }
    return verified ? 0 : 1;
  }

  /**
   * {@code --warmup-events}: the same pipeline code replays a topic and database of its own first, from empty
   * state like the timed replay, then stops. What stays is the JVM's compiled code: the JIT compiler spends a
   * large share of a short replay's CPU compiling, a start-up cost a pipeline that runs for days pays once. The
   * warm-up is measured too, as the cold figure ({@code cold} in result.json): from its first processed record
   * to the last position committed, which with exactly-once checkpoints is the last event row stored; its
   * windows' tail is not waited for.
   */
  private void warmUp(BenchInfra infra, String stamp, long seed) throws Exception {
    int events = options.warmupEvents();
    if (events == 0) {
      return;
    }
    String id = "bench-warmup-" + stamp.replace('_', '-');
    String database = infra.createDatabase("bench_warmup_" + stamp);
    String topic = id + ".events";
    Topics.ensure(infra.bootstrapServers, infra.endpoints.kafkaProperties(), Map.of(topic, PARTITIONS,
        id + ".aggregated", Topics.AGGREGATED_PARTITIONS, id + ".dlq", Topics.DLQ_PARTITIONS),
        Topics.Creation.DEFAULT);
    PipelineConfig warm = derive(pipelineKeys(infra, database, id), Map.of());
    log.info("bench: warming up on {} events of {} (untimed)", events, topic);
    Preload.Result preload = Preload.run(infra.bootstrapServers, infra.endpoints.kafkaProperties(), topic,
        PARTITIONS, events, seed, warm.generator().numUsers(), warm.generator().numProducts(),
        warm.generator().errorRate(), WindowSettings.from(warm));
    infra.migrate(database);
    long started = System.nanoTime();
    long deadline = started + options.timeoutSeconds() * 1_000_000_000L;
    CpuAccount cpu = CpuAccount.snapshot(infra.postmasterPid(), List.of());
    BenchedPipeline app = launcher.create(warm).start();
    FirstPoll firstPoll = new FirstPoll(app.metrics()::totalConsumed);
    JsonObject cold = new JsonObject().put("events", events);
    try (Connection db = infra.connect(database);
        PreparedStatement offsets = db.prepareStatement(ReplayRun.OFFSETS)) {
      offsets.setString(1, warm.kafka().consumerGroup());
      offsets.setString(2, topic);
      long committed = 0;
      while (committed < preload.events()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("warm-up: only " + committed + " of " + preload.events()
              + " records committed within " + options.timeoutSeconds() + " s");
        }
        Thread.sleep(ReplayRun.POLL_MS);
        try (ResultSet rs = offsets.executeQuery()) {
          rs.next();
          committed = rs.getLong(1);
        }
      }
      long done = System.nanoTime();
      JsonObject cpuSeconds = CpuAccount.since(cpu);
      // The lanes join the group after start() returns, so the first poll is normally seen; if it came first,
      // the clock starts at the launch instead, start-up included, and the result says so.
      boolean seen = firstPoll.atNanos() > 0;
      double replaySeconds = (done - (seen ? firstPoll.atNanos() : started)) / 1e9;
      cold.put("first_poll_seen", seen).put("seconds_to_last_position", BenchReport.round3(replaySeconds))
          .put("events_per_second", Math.round(preload.events() / replaySeconds));
      BenchReport.perEvent(cold, cpuSeconds, preload.events(), false);
      cold.put("cpu_seconds", cpuSeconds);
    } finally {
      firstPoll.stop();
      app.stop();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    log.info("bench: warm-up replayed {} events in {} s", events, BenchReport.round1(seconds));
    result.put("warmup_events", events);
    result.put("warmup_seconds", BenchReport.round1(seconds));
    result.put("cold", cold);
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
    keys.put("WINDOW_IDLE_SECONDS", seconds(config.windows().idleMs(), "WINDOW_IDLE_SECONDS"));
    // Every record of the replay is in Kafka before the lanes start, so no event can arrive after a partition
    // goes quiet: jumping to the wall clock closes the last windows and sessions at once, and is exact here.
    keys.put("WINDOW_IDLE_RULE", ConfigName.of(IdleRule.WALL_CLOCK));
    keys.put("SINK_FLUSH_INTERVAL_SECONDS", seconds(config.sink().flushIntervalMs(), "SINK_FLUSH_INTERVAL_SECONDS"));
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
    result.put("separate_jvm", options.separateJvm());
    result.put("seed", seed);
    result.put("users", pipeline.generator().numUsers());
    result.put("products", pipeline.generator().numProducts());
    result.put("error_rate", pipeline.generator().errorRate());
    result.put("event_time_from", Instant.ofEpochMilli(Preload.EVENT_TIME_START).toString());
    result.put("event_time_to", Instant.ofEpochMilli(Preload.EVENT_TIME_START + Preload.SPAN_MS).toString());
    result.put("sink_batch_size", pipeline.sink().batchSize());
    result.put("sink_flush_interval_seconds", pipeline.sink().flushIntervalMs() / 1000.0);
    result.put("window_idle_seconds", pipeline.windows().idleMs() / 1000.0);
    result.put("window_idle_rule", ConfigName.of(pipeline.windows().idleRule()));
    result.put("max_in_flight_events", pipeline.lanes().maxInFlightEvents());
    result.put("cores", Runtime.getRuntime().availableProcessors());
    result.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    result.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    result.put("kafka", infra.bootstrapServers + (config.kafka().bootstrapServers() == null ? " (embedded, in this JVM)"
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

  /** A UTC time stamp for the names of this run's database and topics. */
  static String stamp() {
    return DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
  }
}
