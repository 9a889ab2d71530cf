package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.PipelineProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --processes=N}: three pipeline processes sharing the topic's six partitions in one consumer group (the
 * bench's own and two more JVMs, joining one after another, so partitions move while the replay runs) store
 * exactly what one process stores: the same rows, dead letters and window rows, compared by the bench's digests
 * of the stored contents (same seed, same events). The single process runs in its own JVM ({@code
 * --separate-jvm}), which also reports the pipeline's own heap after GC, its live heap (full GCs every second)
 * and its open sessions.
 */
class BenchProcessesIT {

  @Test
  void threeProcessesStoreExactlyWhatOneStores(@TempDir Path dir) throws Exception {
    JsonObject one = bench(dir.resolve("one"), "--processes=1", "--separate-jvm", "--heap-probe-seconds=1");
    JsonObject three = bench(dir.resolve("three"), "--processes=3");

    for (JsonObject r : List.of(one, three)) {
      assertEquals(true, r.getBoolean("verified"), "the replay stored exactly what it should: " + r);
      JsonObject byThread = r.getJsonObject("cpu_seconds").getJsonObject("jvm_by_thread");
      for (String key : List.of("jit", "gc", "other_native", "gc_jit_and_other_native")) {
        assertTrue(byThread.containsKey(key), key + " in " + byThread);
      }
      assertTrue(r.getDouble("pipeline_cpu_us_per_event_without_jit") > 0, r.encode());
    }
    assertEquals(one.getJsonObject("digests"), three.getJsonObject("digests"),
        "3 processes stored other rows, dead letters or windows than 1");
    for (String count : List.of("rows", "dead_letters", "windows")) {
      assertEquals(one.getLong(count), three.getLong(count), count);
    }

    assertTrue(one.getLong("pipeline_heap_after_gc_mb") > 0, one.encode());
    assertTrue(one.getLong("peak_open_sessions") > 0, one.encode());
    assertTrue(one.containsKey("open_sessions_at_peak_heap_after_gc"), one.encode());
    assertTrue(one.getLong("pipeline_live_heap_probes") > 0 && one.getLong("pipeline_live_heap_mb") > 0, one.encode());
    assertTrue(one.getLong("pipeline_live_heap_at_most_open_sessions_mb") > 0, one.encode());
    assertEquals(1, one.getJsonArray("pipeline_processes").size());

    assertEquals(2, three.getJsonArray("pipeline_processes").size(), three.encode());
    long byOthers = three.getJsonArray("pipeline_processes").stream()
        .mapToLong(p -> ((JsonObject) p).getLong("consumed")).sum();
    assertTrue(byOthers > 0, "processes 2 and 3 read none of the records: " + three.encode());
    assertEquals(2, three.getJsonObject("cpu_seconds").getJsonArray("child_processes_each").size());
  }

  private static JsonObject bench(Path out, String... flags) throws Exception {
    Files.createDirectories(out);
    String[] args = new String[5 + flags.length];
    System.arraycopy(new String[] {"--roles=bench", "--events=20000", "--live-rates=none", "--copy=false",
        "--out-dir=" + out}, 0, args, 0, 5);
    System.arraycopy(flags, 0, args, 5, flags.length);
    try (PipelineProcess bench = PipelineProcess.start(Map.of(), args)) {
      assertEquals(0, bench.waitFor(240), bench.output());
    }
    return new JsonObject(Files.readString(out.resolve("result.json")));
  }
}
