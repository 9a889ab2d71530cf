package io.streampipeline.flinkbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The report the bench reads (ALT_REPORT), written to a temporary file and renamed so it appears whole. */
record BenchResult(String system, long firstRecordMs, long doneMs, long recordsRead, long eventsStored,
    long deadLetters, long windowsEmitted, long lateDropped, String notes) {

  static BenchResult of(String system, long firstRecordMs, long doneMs, Map<String, Object> accumulators,
      Map<String, Long> tables) {
    long lateSessions = number(accumulators, WindowStage.LATE_SESSION);
    long lateRevenue = number(accumulators, WindowStage.LATE_REVENUE);
    long bots = number(accumulators, Router.BOTS);
    String notes = "Flink windows: watermark is the minimum over all partitions (pipeline: per partition), "
        + "late events dropped per window kind (" + lateRevenue + " from revenue_per_5min, " + lateSessions
        + " from sessions; late_dropped is events_per_minute's), the last open windows fire at end of input; "
        + "no dedup of repeated event_id in windows; " + bots + " bots; "
        + tables.get("dead_letter_events") + " dead letters stored";
    return new BenchResult(system, firstRecordMs, doneMs, number(accumulators, Router.RECORDS),
        tables.get("clickstream_events"), number(accumulators, Router.DEAD), tables.get("aggregated_metrics"),
        number(accumulators, WindowStage.LATE_MINUTE), notes);
  }

  private static long number(Map<String, Object> accumulators, String name) {
    Object v = accumulators.get(name);
    return v instanceof Number n ? n.longValue() : 0L;
  }

  String toJson() {
    return "{\"system\": " + quote(system)
        + ", \"first_record_epoch_ms\": " + firstRecordMs
        + ", \"done_epoch_ms\": " + doneMs
        + ", \"records_read\": " + recordsRead
        + ", \"events_stored\": " + eventsStored
        + ", \"dead_letters\": " + deadLetters
        + ", \"windows_emitted\": " + windowsEmitted
        + ", \"late_dropped\": " + lateDropped
        + ", \"notes\": " + quote(notes) + "}";
  }

  void writeAtomically(Path report) throws IOException {
    Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
    Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, report, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
