package io.streampipeline.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** The replay's outcome: the figures added to result.json, which is written, and one table printed. */
final class BenchReport {
  private BenchReport() {
  }

  static void write(JsonObject result, BenchOptions options, Preload.Result preload, ReplayRun.Measurement replay)
      throws IOException {
    addFigures(result, options, preload, replay);
    Path file = options.outDir().resolve("result.json");
    Files.writeString(file, result.encodePrettily() + "\n");
    System.out.println(table(result, options, preload, replay, file));
  }

  private static void addFigures(JsonObject result, BenchOptions options, Preload.Result preload,
      ReplayRun.Measurement replay) {
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
    JsonObject cpu = result.getJsonObject("cpu_seconds");
    if (cpu != null && replay.complete()) {
      perEvent(result, cpu, preload.events(), options.separateJvm());
    }
    result.put("finished_at", Instant.now().toString());
  }

  /**
   * The CPU per event of one phase into {@code into}: the pipeline JVMs' CPU, the same less their compiler
   * threads' (the JIT's warm-up), and PostgreSQL's. With the in-process pipeline (no --separate-jvm) the bench
   * JVM also runs the embedded broker and the bench's own threads; {@code pipeline_threads_cpu_us_per_event}
   * leaves those out too, so that it counts what a deployed pipeline process would spend (its GC included).
   */
  static void perEvent(JsonObject into, JsonObject cpu, long events, boolean separateJvm) {
    JsonObject byThread = cpu.getJsonObject("jvm_by_thread");
    double pipelineCpu = 0;
    double jit = 0;
    double notPipeline = 0;
    if (!separateJvm) {
      pipelineCpu += cpu.getDouble("jvm");
      jit += byThread.getDouble("jit");
      notPipeline = byThread.getDouble("kafka_broker", 0.0) + byThread.getDouble("bench", 0.0);
    }
    for (Object o : cpu.getJsonArray("child_processes_each", new JsonArray())) {
      JsonObject child = (JsonObject) o;
      pipelineCpu += child.getDouble("total");
      jit += child.getDouble("jit");
    }
    into.put("pipeline_cpu_us_per_event", round1(pipelineCpu * 1e6 / events));
    into.put("pipeline_cpu_us_per_event_without_jit", round1((pipelineCpu - jit) * 1e6 / events));
    into.put("pipeline_threads_cpu_us_per_event", round1((pipelineCpu - jit - notPipeline) * 1e6 / events));
    if (cpu.containsKey("postgres")) {
      into.put("postgres_cpu_us_per_event", round1(cpu.getDouble("postgres") * 1e6 / events));
    }
  }

  private static StringBuilder table(JsonObject result, BenchOptions options, Preload.Result preload,
      ReplayRun.Measurement replay, Path file) {
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
        + " MB after GC (max " + result.getValue("max_heap_mb") + " MB; bench JVM"
        + (result.getString("kafka", "").contains("embedded") ? ", embedded Kafka included" : "")
        + (options.separateJvm() ? ", no pipeline" : ", open sessions then "
        + result.getValue("open_sessions_at_peak_heap_after_gc")) + ")");
    if (result.containsKey("pipeline_heap_after_gc_mb")) {
      row(table, "pipeline heap", result.getValue("pipeline_heap_after_gc_mb") + " MB after GC at peak, "
          + result.getValue("pipeline_heap_used_mb") + " MB used (own JVM, max " + result.getValue(
          "pipeline_max_heap_mb") + " MB); open sessions then " + result.getValue(
          "open_sessions_at_peak_heap_after_gc") + ", at most " + result.getValue("peak_open_sessions"));
    }
    if (result.containsKey("pipeline_live_heap_mb")) {
      row(table, "pipeline live heap", result.getValue("pipeline_live_heap_mb") + " MB at most (after a full GC, "
          + result.getValue("open_sessions_at_peak_live_heap") + " open sessions then); "
          + result.getValue("pipeline_live_heap_at_most_open_sessions_mb") + " MB with the most open sessions probed ("
          + result.getValue("most_open_sessions_probed") + "); " + result.getValue("pipeline_live_heap_probes")
          + " probes");
    }
    StringBuilder others = new StringBuilder();
    for (Object o : result.getJsonArray("pipeline_processes", new JsonArray())) {
      JsonObject p = (JsonObject) o;
      others.append("; process ").append(p.getValue("process")).append(" ").append(p.getValue("rss_mb"))
          .append(" MB (heap after GC ").append(p.getValue("heap_after_gc_mb")).append(" MB)");
    }
    row(table, "peak RSS", (replay.rssBytes() >> 20) + " MB (bench JVM)" + others);
    JsonObject sink = result.getJsonObject("sink");
    if (sink != null && sink.containsKey("checkpoints")) {
      row(table, "checkpoints", sink.getValue("checkpoints") + " transactions, mean " + sink.getValue(
          "checkpoint_ms_mean") + " ms, " + sink.getValue("events_per_checkpoint_mean") + " events and "
          + sink.getValue("state_kb_per_checkpoint_mean") + " KB of window state each; sink busy "
          + Math.round(100 * sink.getDouble("busy_fraction_of_replay", 0.0)) + "% of the replay");
    }
    JsonObject cpu = result.getJsonObject("cpu_seconds");
    if (cpu != null) {
      JsonObject byThread = cpu.getJsonObject("jvm_by_thread");
      StringBuilder children = new StringBuilder();
      for (Object o : cpu.getJsonArray("child_processes_each", new JsonArray())) {
        JsonObject c = (JsonObject) o;
        children.append(children.length() == 0 ? ", pipeline JVMs " : "; ").append(c.getValue("total"))
            .append(" (JIT ").append(c.getValue("jit")).append(", GC ").append(c.getValue("gc")).append(")");
      }
      row(table, "CPU seconds", (options.separateJvm() ? "bench JVM " : "pipeline JVM ") + cpu.getValue("jvm")
          + " (event loops " + byThread.getValue("vertx_event_loops", 0) + ", broker " + byThread.getValue(
          "kafka_broker", 0) + ", JIT " + byThread.getValue("jit") + ", GC " + byThread.getValue("gc")
          + ", other native " + byThread.getValue("other_native") + ")" + children + ", PostgreSQL "
          + cpu.getValue("postgres") + ", other programs " + cpu.getValue("other_programs") + " of "
          + cpu.getValue("machine_capacity") + " over " + cpu.getValue("wall_seconds") + " s");
      if (result.containsKey("pipeline_cpu_us_per_event")) {
        row(table, "CPU per event", perEventText(result, options));
      }
    }
    JsonObject cold = result.getJsonObject("cold");
    if (cold != null) {
      row(table, "cold (warm-up run)", cold.getValue("events") + " events at " + cold.getValue("events_per_second")
          + " events/s; CPU per event " + perEventText(cold, options));
    }
    if (result.containsKey("copy_rows_per_second")) {
      row(table, "COPY ceiling", result.getValue("copy_rows_per_second") + " rows/s (1 connection), "
          + result.getValue("copy_rows_per_second_2_connections") + " rows/s (2)");
    }
    row(table, "result", file.toAbsolutePath().normalize());
    return table;
  }

  private static String perEventText(JsonObject figures, BenchOptions options) {
    return "pipeline JVM" + (options.processes() > 1 ? "s " : " ") + figures.getValue("pipeline_cpu_us_per_event")
        + " us, without JIT " + figures.getValue("pipeline_cpu_us_per_event_without_jit") + " us"
        + (options.separateJvm() ? "" : " (" + figures.getValue("pipeline_threads_cpu_us_per_event")
        + " us without broker and bench threads)")
        + (figures.containsKey("postgres_cpu_us_per_event") ? "; PostgreSQL " + figures.getValue(
        "postgres_cpu_us_per_event") + " us" : "");
  }

  private static void row(StringBuilder table, String name, Object value) {
    table.append(String.format("  %-20s %s%n", name, value));
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
