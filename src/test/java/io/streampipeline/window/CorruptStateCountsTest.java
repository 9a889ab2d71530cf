package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.window.state.SnapshotOutput;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Stored window state whose counts claim more than its bytes can hold (a flipped bit, a truncated write, bytes
 * from elsewhere) is corrupt state like any other: an IllegalArgumentException, which the window stage handles by
 * holding the partition, never an allocation that takes the process down.
 */
class CorruptStateCountsTest {
  private static final WindowSettings SETTINGS = new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 10 * SECOND);
  private static final long HUGE = Integer.MAX_VALUE;

  private static byte[] snapshot(Consumer<SnapshotOutput> body) {
    SnapshotOutput out = new SnapshotOutput();
    for (char c : "SPWS".toCharArray()) {
      out.writeByte(c);
    }
    out.writeVarLong(1);
    out.writeVarLong(0);
    out.writeZigZag(0);
    out.writeZigZag(0);
    body.accept(out);
    return out.toByteArray();
  }

  private static byte[] delta(Consumer<SnapshotOutput> body) {
    SnapshotOutput out = new SnapshotOutput();
    for (char c : "SPWD".toCharArray()) {
      out.writeByte(c);
    }
    out.writeVarLong(1);
    out.writeVarLong(0);
    out.writeVarLong(1);
    out.writeZigZag(0);
    out.writeZigZag(0);
    body.accept(out);
    return out.toByteArray();
  }

  private static byte[] emptyBase() {
    return new PartitionWindows(0, SETTINGS).snapshot();
  }

  private static void assertCorrupt(Runnable restore) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, restore::run);
    assertTrue(e.getMessage().contains("count"), e.getMessage());
  }

  @Test
  void aDeltaClaimingMoreEventIdHashesThanItsBytesHoldIsCorrupt() {
    byte[] delta = delta(out -> {
      out.writeVarLong(0); // windows
      out.writeVarLong(0); // sessions removed
      out.writeVarLong(0); // sessions upserted
      out.writeVarLong(0); // split off
      out.writeVarLong(0); // dedup mode
      out.writeVarLong(HUGE); // event id hashes, none following
    });
    assertCorrupt(() -> PartitionWindows.restore(0, SETTINGS, emptyBase(), List.of(delta)));
  }

  @Test
  void aSnapshotClaimingMoreEventIdHashesThanItsBytesHoldIsCorrupt() {
    byte[] snapshot = snapshot(out -> {
      out.writeVarLong(0); // windows
      out.writeVarLong(0); // open sessions
      out.writeVarLong(0); // split off
      out.writeVarLong(HUGE); // ring capacity
      out.writeVarLong(HUGE); // event id hashes, none following
    });
    assertCorrupt(() -> PartitionWindows.restore(0, SETTINGS, snapshot));
  }
}
