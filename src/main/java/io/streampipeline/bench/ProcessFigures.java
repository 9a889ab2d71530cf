package io.streampipeline.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The figures each pipeline process of a replay reports about itself, gathered into the bench's result. */
final class ProcessFigures {
  private ProcessFigures() {
  }

  /**
   * Puts each pipeline JVM's own figures in {@code result} (pipeline_processes), and with --separate-jvm the
   * pipeline's own heap after GC: the largest over its JVMs (with one process, exactly the pipeline's), with the
   * open sessions then.
   */
  static void put(JsonObject result, List<JsonObject> reports, ResourceSampler sampler, ReplayRun.Measurement replay,
      boolean separateJvm) {
    if (reports.isEmpty()) {
      return;
    }
    JsonArray each = new JsonArray();
    JsonObject largest = null;
    long otherRss = 0;
    for (JsonObject r : reports) {
      long rss = sampler.peakOtherRssBytes(r.getLong("pid", -1L));
      otherRss = Math.max(otherRss, rss);
      JsonObject p = new JsonObject().put("process", r.getValue("process")).put("pid", r.getValue("pid"))
          .put("heap_after_gc_mb", r.getLong("peak_heap_after_gc_bytes", 0L) >> 20)
          .put("heap_used_mb", r.getLong("peak_heap_bytes", 0L) >> 20)
          .put("max_heap_mb", r.getLong("max_heap_bytes", 0L) >> 20)
          .put("rss_mb", rss >> 20)
          .put("open_sessions_at_peak_heap_after_gc", r.getLong("open_sessions_at_peak_heap_after_gc", 0L))
          .put("peak_open_sessions", r.getLong("peak_open_sessions", 0L))
          .put("consumed", r.getLong("consumed", 0L))
          .put("sink", ReplayRun.withBusyFraction(r.getJsonObject("sink", new JsonObject()), replay));
      if (r.containsKey("live_heap_probes")) {
        p.put("live_heap_probes", r.getValue("live_heap_probes"))
            .put("live_heap_mb", r.getLong("peak_live_heap_bytes") >> 20)
            .put("open_sessions_at_peak_live_heap", r.getValue("open_sessions_at_peak_live_heap"))
            .put("most_open_sessions_probed", r.getValue("most_open_sessions_probed"))
            .put("live_heap_at_most_open_sessions_mb", r.getLong("live_heap_at_most_open_sessions_bytes") >> 20);
      }
      if (r.containsKey("report_missing")) {
        p.put("report_missing", r.getValue("report_missing"));
      }
      each.add(p);
      if (largest == null || p.getLong("heap_after_gc_mb") > largest.getLong("heap_after_gc_mb")) {
        largest = p;
      }
    }
    result.put("pipeline_processes", each);
    result.put("peak_rss_mb_second_process", otherRss >> 20);
    if (separateJvm) {
      result.put("pipeline_heap_after_gc_mb", largest.getLong("heap_after_gc_mb"));
      result.put("pipeline_heap_used_mb", largest.getLong("heap_used_mb"));
      result.put("pipeline_max_heap_mb", largest.getLong("max_heap_mb"));
      result.put("open_sessions_at_peak_heap_after_gc", largest.getLong("open_sessions_at_peak_heap_after_gc"));
      result.put("peak_open_sessions", largest.getLong("peak_open_sessions"));
      for (String key : List.of("live_heap_probes", "live_heap_mb", "open_sessions_at_peak_live_heap",
          "most_open_sessions_probed", "live_heap_at_most_open_sessions_mb")) {
        if (largest.containsKey(key)) {
          result.put(key.startsWith("live_heap") ? "pipeline_" + key : key, largest.getValue(key));
        }
      }
    }
  }
}
