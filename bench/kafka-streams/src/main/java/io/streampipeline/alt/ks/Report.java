package io.streampipeline.alt.ks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The result JSON of the alternative-job protocol, written atomically (a .tmp file, then a rename). */
record Report(String system, long firstRecordEpochMs, long doneEpochMs, long recordsRead, long eventsStored,
    long deadLetters, long windowsEmitted, long lateDropped, String notes) {

  String toJson() {
    return "{\"system\": " + quote(system)
        + ", \"first_record_epoch_ms\": " + firstRecordEpochMs
        + ", \"done_epoch_ms\": " + doneEpochMs
        + ", \"records_read\": " + recordsRead
        + ", \"events_stored\": " + eventsStored
        + ", \"dead_letters\": " + deadLetters
        + ", \"windows_emitted\": " + windowsEmitted
        + ", \"late_dropped\": " + lateDropped
        + ", \"notes\": " + quote(notes) + "}";
  }

  void writeAtomically(Path target) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
