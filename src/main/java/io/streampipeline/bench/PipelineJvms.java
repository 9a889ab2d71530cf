package io.streampipeline.bench;

import io.streampipeline.infra.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline processes the bench starts ({@link PipelineChild}, same jar, same consumer group): each gets the
 * run's keys in its environment and the bench's own flags (except those keys, so a flag such as
 * {@code --sink-batch-size} applies to every process), logs to {@code process-K.log} and reports its figures to
 * {@code process-K.json} in the output directory. Blocking: bench thread only.
 */
final class PipelineJvms implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipelineJvms.class);
  private static final long STOP_SECONDS = 90;

  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> numbers = new ArrayList<>();
  private final List<Path> reports = new ArrayList<>();

  /** Starts processes {@code first..last} (1-based, as in the logs' names). */
  static PipelineJvms start(int first, int last, Map<String, String> keys, String[] benchArgs, BenchOptions options,
      String mainClass) throws IOException {
    PipelineJvms jvms = new PipelineJvms();
    try {
      for (int k = first; k <= last; k++) {
        jvms.startOne(k, keys, benchArgs, options, mainClass);
      }
    } catch (IOException | RuntimeException e) {
      jvms.close();
      throw e;
    }
    return jvms;
  }

  private void startOne(int number, Map<String, String> keys, String[] benchArgs, BenchOptions options,
      String mainClass) throws IOException {
    String jar = Path.of(BenchRunner.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (options.pipelineXmx() != null) {
      command.add("-Xmx" + options.pipelineXmx());
    } else {
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (arg.startsWith("-Xmx") || arg.startsWith("-Xms")) {
          command.add(arg);
        }
      }
    }
    command.addAll(List.of("-cp", jar, mainClass));
    Set<String> overridden = keys.keySet();
    for (String arg : benchArgs) {
      String name = flagKey(arg);
      if (name != null && !overridden.contains(name) && !Set.of("ROLES", "METRICS_PORT", "DASHBOARD_PORT")
          .contains(name)) {
        command.add(arg);
      }
    }
    Path logFile = options.outDir().resolve("process-" + number + ".log");
    Path report = options.outDir().resolve("process-" + number + ".json").toAbsolutePath();
    Files.deleteIfExists(report);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    builder.environment().putAll(keys);
    builder.environment().put("METRICS_PORT", String.valueOf(Ports.free()));
    builder.environment().put(PipelineChild.REPORT_ENV, report.toString());
    if (options.heapProbeSeconds() > 0) {
      builder.environment().put(PipelineChild.PROBE_ENV, String.valueOf(options.heapProbeSeconds() * 1000L));
    }
    log.info("bench: pipeline process {}: {} (log in {})", number, String.join(" ", command), logFile);
    processes.add(builder.start());
    numbers.add(number);
    reports.add(report);
  }

  /** The configuration key a {@code --flag=value} sets, or null for anything else. */
  static String flagKey(String arg) {
    if (!arg.startsWith("--")) {
      return null;
    }
    int eq = arg.indexOf('=');
    return (eq < 0 ? arg.substring(2) : arg.substring(2, eq)).replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * Waits until every process has started its pipeline (its first report is written once start-up returned, so
   * its lanes are joining the group); throws when one ended or the time is up.
   */
  void awaitStarted(long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (int i = 0; i < processes.size(); i++) {
      while (!Files.exists(reports.get(i))) {
        if (!processes.get(i).isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("pipeline process " + numbers.get(i) + " did not start (see "
              + reports.get(i).resolveSibling("process-" + numbers.get(i) + ".log") + ")");
        }
        Thread.sleep(20);
      }
    }
  }

  List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  boolean isEmpty() {
    return processes.isEmpty();
  }

  /** Each process's latest report (see {@link PipelineChild}) with its number, pid and whether it still runs. */
  List<JsonObject> reports() {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      JsonObject r;
      try {
        r = new JsonObject(Files.readString(reports.get(i)));
      } catch (IOException | RuntimeException e) {
        r = new JsonObject().put("pid", processes.get(i).pid()).put("report_missing", e.toString());
      }
      out.add(r.put("process", numbers.get(i)).put("alive", processes.get(i).isAlive()));
    }
    return out;
  }

  /** The earliest first processed record over these processes, as System.nanoTime(); -1 if none yet. */
  long firstPollNanos() {
    long first = -1;
    for (JsonObject r : reports()) {
      long at = r.getLong("first_poll_nanos", -1L);
      if (at > 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
