package io.streampipeline.bench;

import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.window.WindowSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --alternative=NAME}: another system's job (bench/NAME, a jar of its own) replays the pre-loaded topic in
 * place of the pipeline, for the same-hour comparison of docs/design.md#performance-targets.
 *
 * <p>The protocol (bench/README.md): the job gets the topic, a consumer group, an output
 * topic, the database with the pipeline's schema and the window settings in {@code ALT_*} variables; it creates
 * {@code ALT_STARTED_FILE} when it processes its first record and writes {@code ALT_REPORT} (JSON: first record
 * and done times, records read, events stored, windows emitted) when every record's results are committed, then
 * waits for its standard input to close. The bench counts the job JVM's CPU (its JIT and GC included) and
 * PostgreSQL's between the two files, and checks what the job stored and committed. Blocking: bench thread only.
 */
final class AlternativeRun {
  private static final Logger log = LoggerFactory.getLogger(AlternativeRun.class);
  private static final long START_SECONDS = 180;
  private static final long STOP_SECONDS = 60;
  private static final long POLL_MS = 50;

  private final BenchInfra infra;
  private final BenchOptions options;

  AlternativeRun(BenchInfra infra, BenchOptions options) {
    this.infra = infra;
    this.options = options;
  }

  /** Runs the job to its report; returns the "alternative" section of result.json ("verified" in it). */
  JsonObject replay(String database, String topic, String outputTopic, String group, Preload.Result preload,
      WindowSettings windows) throws IOException, InterruptedException, SQLException {
    Path jar = options.alternativeJar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("--alternative-jar: no file " + jar.toAbsolutePath() + " (build it with "
          + "mvn -B -q -f bench/" + options.alternative() + "/pom.xml package)");
    }
    Path dir = options.outDir().toAbsolutePath();
    Path work = dir.resolve("alternative-work");
    Path started = dir.resolve("alternative.started");
    Path report = dir.resolve("alternative.json");
    Path logFile = dir.resolve("alternative.log");
    BenchInfra.wipe(work);
    Files.createDirectories(work);
    Files.deleteIfExists(started);
    Files.deleteIfExists(report);

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-Xmx") || arg.startsWith("-Xms")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    Endpoints db = infra.endpoints.withDatabase(database);
    Map<String, String> env = builder.environment();
    env.put("ALT_BOOTSTRAP_SERVERS", infra.bootstrapServers);
    env.put("ALT_TOPIC", topic);
    env.put("ALT_RECORDS", String.valueOf(preload.events()));
    env.put("ALT_GROUP", group);
    env.put("ALT_OUTPUT_TOPIC", outputTopic);
    env.put("ALT_JDBC_URL", db.jdbcUrl());
    env.put("ALT_JDBC_USER", infra.pgUser);
    env.put("ALT_JDBC_PASSWORD", infra.pgPassword);
    env.put("ALT_PARALLELISM", String.valueOf(options.lanes()));
    env.put("ALT_WORK_DIR", work.toString());
    env.put("ALT_STARTED_FILE", started.toString());
    env.put("ALT_REPORT", report.toString());
    env.put("ALT_WINDOW_SECONDS", String.valueOf(windows.tumblingMs() / 1000));
    env.put("ALT_REVENUE_WINDOW_SECONDS", String.valueOf(windows.revenueMs() / 1000));
    env.put("ALT_SESSION_TIMEOUT_SECONDS", String.valueOf(windows.sessionTimeoutMs() / 1000));
    env.put("ALT_ALLOWED_LATENESS_SECONDS", String.valueOf(windows.allowedLatenessMs() / 1000));
    log.info("bench: alternative {}: {} (log in {})", options.alternative(), String.join(" ", command), logFile);
    Process job = builder.start();
    JsonObject out = new JsonObject().put("name", options.alternative()).put("jar", jar.toString());
    try {
      if (!awaitFile(job, started, START_SECONDS)) {
        return failed(out, job, "no first record within " + START_SECONDS + " s");
      }
      CpuAccount cpu = CpuAccount.snapshot(infra.postmasterPid(), List.of(job.pid()));
      if (!awaitFile(job, report, options.timeoutSeconds())) {
        return failed(out, job, "no report within " + options.timeoutSeconds() + " s");
      }
      JsonObject cpuSeconds = CpuAccount.since(cpu);
      JsonObject figures = new JsonObject(Files.readString(report));
      out.put("report", figures).put("cpu_seconds", cpuSeconds);
      double seconds = (figures.getLong("done_epoch_ms") - figures.getLong("first_record_epoch_ms")) / 1000.0;
      out.put("seconds", BenchReport.round3(seconds))
          .put("events_per_second", Math.round(preload.events() / seconds));
      JsonObject child = cpuSeconds.getJsonArray("child_processes_each").getJsonObject(0);
      out.put("job_cpu_us_per_event", BenchReport.round1(child.getDouble("total") * 1e6 / preload.events()))
          .put("job_cpu_us_per_event_without_jit",
              BenchReport.round1((child.getDouble("total") - child.getDouble("jit")) * 1e6 / preload.events()))
          .put("postgres_cpu_us_per_event",
              BenchReport.round1(cpuSeconds.getDouble("postgres", 0.0) * 1e6 / preload.events()))
          .put("broker_cpu_us_per_event", BenchReport.round1(
              cpuSeconds.getJsonObject("jvm_by_thread").getDouble("kafka_broker", 0.0) * 1e6 / preload.events()));
      verify(out, figures, database, topic, group, preload);
      return out;
    } finally {
      job.getOutputStream().close();
      if (!job.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        log.warn("bench: alternative still running {} s after its input closed; stopping it", STOP_SECONDS);
        job.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
      out.put("exit_code", job.isAlive() ? -1 : job.exitValue());
    }
  }

  /**
   * Exactly once, as far as the bench can see it: every record read, every valid event stored once (or, for a job
   * that writes no database, counted once), and the group's positions at the end of the topic. The stored events
   * get the same digest as the pipeline's when the job stores the same columns.
   */
  private void verify(JsonObject out, JsonObject figures, String database, String topic, String group,
      Preload.Result preload) throws SQLException {
    long rows;
    long windowRows;
    try (Connection c = infra.connect(database)) {
      rows = ReplayRun.count(c, "SELECT count(*) FROM clickstream_events");
      windowRows = ReplayRun.count(c, "SELECT count(*) FROM aggregated_metrics");
      // The pipeline's digests of what it stores: equal when the job stored the same rows, windows or dead letters.
      JsonObject digests = new JsonObject();
      if (rows > 0) {
        digests.put("rows", ReplayRun.text(c, ReplayRun.ROWS_DIGEST));
      }
      if (windowRows > 0) {
        digests.put("windows", ReplayRun.text(c, ReplayRun.WINDOWS_DIGEST));
      }
      if (ReplayRun.count(c, "SELECT count(*) FROM dead_letter_events") > 0) {
        digests.put("dead_letters", ReplayRun.text(c, ReplayRun.DEAD_LETTERS_DIGEST));
      }
      out.put("digests", digests);
    }
    long committed = committedOffsets(topic, group);
    out.put("rows", rows).put("window_rows", windowRows).put("committed_offsets", committed)
        .put("valid_events", preload.valid()).put("records", preload.events())
        .put("pipeline_windows_for_these_events", preload.expectedWindows());
    boolean exact = exact(figures, rows, committed, preload);
    out.put("verified", exact);
    if (!exact) {
      log.warn("bench: the alternative's results differ from what was sent: records read {} (sent {}), events "
              + "counted {} and stored {} (valid {}), positions {}", figures.getLong("records_read", -1L),
          preload.events(), figures.getLong("events_stored", -1L), rows, preload.valid(), committed);
    }
  }

  /**
   * The job read every record once, counted every valid event once, stored each once if it stores events at all,
   * and, if it commits positions to Kafka, committed the end of the topic.
   */
  static boolean exact(JsonObject figures, long rows, long committed, Preload.Result preload) {
    return figures.getLong("records_read", -1L) == preload.events()
        && figures.getLong("events_stored", -1L) == preload.valid()
        && (rows == 0 || rows == preload.valid())
        && (committed < 0 || committed == preload.events());
  }

  /** Sum of the group's committed offsets on the topic, or -1 when the group committed none to Kafka. */
  private long committedOffsets(String topic, String group) {
    Map<String, String> props = KafkaClients.admin(infra.bootstrapServers, infra.endpoints.kafkaProperties(),
        "stream-pipeline-bench-alternative");
    try (Admin admin = Admin.create(new HashMap<>(props))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      long sum = 0;
      boolean any = false;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
        if (e.getKey().topic().equals(topic) && e.getValue() != null) {
          sum += e.getValue().offset();
          any = true;
        }
      }
      return any ? sum : -1;
    } catch (Exception e) {
      log.warn("bench: could not read the alternative's committed offsets: {}", e.toString());
      return -1;
    }
  }

  private static boolean awaitFile(Process job, Path file, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return true;
      }
      if (!job.isAlive()) {
        return Files.exists(file);
      }
      Thread.sleep(POLL_MS);
    }
    return false;
  }

  private JsonObject failed(JsonObject out, Process job, String why) {
    String exit = job.isAlive() ? "still running" : "exited with " + job.exitValue();
    log.error("bench: alternative {} failed: {} ({}; see alternative.log)", options.alternative(), why, exit);
    return out.put("verified", false).put("failure", why + " (" + exit + ")");
  }
}
