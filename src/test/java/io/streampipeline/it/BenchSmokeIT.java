package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.ConsumerReferenceJob;
import io.streampipeline.it.support.PipelineProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench role keeps working: a small replay from the jar ends with its table and a result.json that has
 * every field docs/design.md#performance-targets names and a verified replay (exact rows, dead letters and windows,
 * and every window and dead letter on its topic);
 * {@code --sink-forms} measures the sink's own statements. It asserts no speed: speed is measured by running the
 * bench, never by a test.
 */
class BenchSmokeIT {

  @Test
  void aSmallReplayWritesTheResultFile(@TempDir Path out) throws Exception {
    try (PipelineProcess bench = PipelineProcess.start(Map.of(), "--roles=bench", "--events=20000",
        "--warmup-events=5000", "--live-rates=1000", "--live-seconds=2", "--lanes=2", "--out-dir=" + out)) {
      assertEquals(0, bench.waitFor(300), bench.output());
      assertTrue(bench.output().contains("events/s"), bench.output());
      assertTrue(bench.output().contains("cold (warm-up run)"), bench.output());
      // The two lanes of each run join the group together: neither takes all six partitions first and hands
      // half of them over inside the measured time.
      List<String> assignments = bench.output().lines().filter(l -> l.contains(": assigned partitions ")).toList();
      assertTrue(assignments.size() >= 4, "warm-up and replay, two lanes each: " + assignments);
      for (String line : assignments) {
        String partitions = line.substring(line.lastIndexOf('[') + 1, line.lastIndexOf(']'));
        assertEquals(3, partitions.split(", ").length, "half of the 6 partitions per lane: " + line);
      }
    }
    assertFalse(Files.exists(out.resolve("data")), "a verified run removes its broker's and database's files");
    JsonObject result = new JsonObject(Files.readString(out.resolve("result.json")));
    for (String field : List.of("events", "seconds", "events_per_second", "rows_per_second", "p50_commit_latency_ms",
        "p99_commit_latency_ms", "peak_heap_mb", "peak_rss_mb", "copy_rows_per_second", "peak_heap_after_gc_mb",
        "open_sessions_at_peak_heap_after_gc", "peak_open_sessions", "pipeline_cpu_us_per_event_without_jit", "digests")) {
      assertTrue(result.containsKey(field) && result.getValue(field) != null, field + " in " + result);
    }
    assertEquals(20000L, result.getLong("events"));
    assertEquals(5000L, result.getLong("warmup_events"), "a warm-up replay ran first, on its own topic");
    // The warm-up is the cold figure beside the warm one: its own rate and CPU per event, the same fields.
    JsonObject cold = result.getJsonObject("cold");
    assertTrue(cold != null, "the cold figure in " + result);
    for (String field : List.of("events_per_second", "pipeline_cpu_us_per_event", "pipeline_cpu_us_per_event_without_jit",
        "pipeline_threads_cpu_us_per_event", "postgres_cpu_us_per_event")) {
      assertTrue(cold.getDouble(field, 0.0) > 0, field + " in " + cold);
    }
    assertTrue(result.getDouble("pipeline_threads_cpu_us_per_event") < result.getDouble(
        "pipeline_cpu_us_per_event_without_jit"), "the broker and bench threads left out: " + result);
    assertEquals(true, result.getBoolean("verified"), "the replay stored exactly what it should: " + result);
    // And sent it: every stored window and dead letter is on its topic (the tables alone would pass a silent outbox).
    JsonObject aggregated = result.getJsonObject("topics").getJsonObject("aggregated");
    JsonObject dlq = result.getJsonObject("topics").getJsonObject("dlq");
    assertEquals(result.getLong("windows"), aggregated.getLong("distinct_keys"), aggregated.encode());
    assertEquals(0L, aggregated.getLong("missing"), aggregated.encode());
    assertEquals(result.getLong("dead_letters"), dlq.getLong("distinct_keys"), dlq.encode());
    assertEquals(0L, dlq.getLong("missing"), dlq.encode());
    JsonObject byThread = result.getJsonObject("cpu_seconds").getJsonObject("jvm_by_thread");
    for (String field : List.of("jit", "gc", "other_native", "gc_jit_and_other_native")) {
      assertTrue(byThread.containsKey(field), field + " in " + byThread);
    }
    JsonObject cpu = result.getJsonObject("cpu_seconds");
    for (String field : List.of("machine_busy", "machine_capacity", "machine_io_wait", "machine_steal")) {
      assertTrue(cpu.getDouble(field, -1.0) >= 0, field + " in " + cpu);
    }
    assertTrue(cpu.getDouble("machine_io_wait") + cpu.getDouble("machine_busy") <= cpu.getDouble("machine_capacity"),
        "waiting for the disk is idle time, not busy time: " + cpu);
  }

  /**
   * {@code --alternative}: another system's job replays the same pre-loaded topic; here the simplest one, a plain
   * consumer with the pipeline's rules ({@link ConsumerReferenceJob}). The bench runs it as a JVM of its own,
   * counts that JVM's CPU, and checks its report and its committed positions against the pre-load.
   */
  @Test
  void anAlternativeJobReplaysTheSameTopic(@TempDir Path out) throws Exception {
    Path jar = ConsumerReferenceJob.jar(out);
    try (PipelineProcess bench = PipelineProcess.start(Map.of(), "--roles=bench", "--events=20000",
        "--alternative=reference", "--alternative-jar=" + jar, "--live-rates=none", "--copy=false",
        "--out-dir=" + out)) {
      assertEquals(0, bench.waitFor(300), bench.output());
      assertTrue(bench.output().contains("reference: "), bench.output());
    }
    JsonObject result = new JsonObject(Files.readString(out.resolve("result.json")));
    JsonObject alternative = result.getJsonObject("alternative");
    assertEquals(true, result.getBoolean("verified"), result.encodePrettily());
    assertEquals(20000L, alternative.getLong("committed_offsets"), "the job's positions, read back from Kafka");
    assertEquals(alternative.getLong("valid_events"), alternative.getJsonObject("report").getLong("events_stored"));
    assertEquals(0L, alternative.getLong("rows"), "this job stores nothing");
    assertEquals(0, alternative.getInteger("exit_code"), "the job ends once the bench closes its input");
    assertTrue(alternative.getLong("events_per_second") > 0, alternative.encode());
    JsonObject job = alternative.getJsonObject("cpu_seconds").getJsonArray("child_processes_each").getJsonObject(0);
    assertTrue(job.getDouble("total") > 0, "the job JVM's own CPU: " + job);
    assertTrue(alternative.getDouble("job_cpu_us_per_event") > 0, alternative.encode());
  }

  @Test
  void sinkFormsWriteTheSinksOwnStatementsAndWindowRows(@TempDir Path out) throws Exception {
    try (PipelineProcess bench = PipelineProcess.start(Map.of(), "--roles=bench", "--sink-forms",
        "--sink-form-rows=3000", "--out-dir=" + out)) {
      assertEquals(0, bench.waitFor(300), bench.output());
    }
    assertFalse(Files.exists(out.resolve("data")), "the measured run removes its broker's and database's files");
    JsonObject result = new JsonObject(Files.readString(out.resolve("sink-forms.json")));
    List<String> forms = result.getJsonArray("forms").stream().map(f -> ((JsonObject) f).getString("form")).toList();
    assertEquals(List.of("values", "unnest", "unnest", "copy", "values", "unnest", "unnest", "copy", "windows"), forms);
    for (Object form : result.getJsonArray("forms")) {
      JsonObject f = (JsonObject) form;
      assertTrue(f.getLong("rows") > 0 && f.getLong("rows_per_second") > 0, f.encode());
      if (!f.getString("form").equals("windows")) {
        assertEquals(3000L, f.getLong("rows"), f.encode());
      }
    }
  }
}
