package io.streampipeline.window.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The string dictionary of the state formats, with strings written once beside it. */
class SnapshotOutputTest {

  @Test
  void stringsWrittenOnceTakeNoEntryYetLaterReferencesStayRight() {
    SnapshotOutput out = new SnapshotOutput();
    List<String> written = List.of("product-1", "session-a", "product-1", "user-7", "session-b", "user-7",
        "session-a", "product-1", "user-7");
    boolean[] once = {false, true, false, false, true, false, true, false, false};
    for (int i = 0; i < written.size(); i++) {
      if (once[i]) {
        out.writeStringOnce(written.get(i));
      } else {
        out.writeString(written.get(i));
      }
    }
    assertEquals(2, out.dictionarySize(), "only product-1 and user-7 are numbered by the writer");
    SnapshotInput in = new SnapshotInput(out.toByteArray());
    for (String s : written) {
      assertEquals(s, in.readString());
    }
  }

  @Test
  void anyMixOfBothReadsBackAsWritten() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      SnapshotOutput out = new SnapshotOutput(0, random.nextInt(3000));
      List<String> written = new ArrayList<>();
      int n = random.nextInt(5000);
      for (int i = 0; i < n; i++) {
        String s = "id-" + random.nextInt(1 + random.nextInt(2000)) + (random.nextInt(50) == 0 ? "é" : "");
        written.add(s);
        if (random.nextBoolean()) {
          out.writeStringOnce(s);
        } else {
          out.writeString(s);
        }
      }
      SnapshotInput in = new SnapshotInput(out.toByteArray());
      for (String s : written) {
        assertEquals(s, in.readString());
      }
      assertTrue(out.dictionarySize() <= written.size());
    }
  }
}
