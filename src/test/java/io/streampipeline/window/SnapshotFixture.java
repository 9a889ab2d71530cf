package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.T0;
import static io.streampipeline.window.TestEvents.event;

import io.streampipeline.event.EventType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The known event sequence behind src/test/resources/snapshots/partition-v1.bin. The file was written once by
 * {@link #main} with format version 1 and must stay as it is: it proves that later builds still restore it.
 */
final class SnapshotFixture {
  static final int PARTITION = 2;
  static final WindowSettings SETTINGS = new WindowSettings(60_000, 300_000, 120_000, 10_000);
  static final String RESOURCE = "/snapshots/partition-v1.bin";

  private SnapshotFixture() {
  }

  /**
   * Four minute windows, one revenue window, three open sessions, u1/s1's first session split off and not
   * yet emitted, six ids in the dedup ring; watermark T0 + 250 s.
   */
  static PartitionWindows build() {
    PartitionWindows pw = new PartitionWindows(PARTITION, SETTINGS);
    pw.add(event("e1").at(T0 + 1_000).user("u1").session("s1").product("p1", "electronics").partition(2).build());
    pw.add(event("e2").type(EventType.ADD_TO_CART).at(T0 + 2_000).user("u1").session("s1")
        .product("p1", "electronics").partition(2).build());
    pw.add(event("e3").at(T0 + 3_000).user("u2").session("s2").product("p2", "books").purchase(1_250, 2)
        .partition(2).build());
    pw.add(event("e2").type(EventType.ADD_TO_CART).at(T0 + 2_000).user("u1").session("s1")
        .product("p1", "electronics").partition(2).build());
    pw.add(event("e4").at(T0 + 65_000).user("u1").session("s1").product("p2", "books").partition(2).build());
    pw.add(event("e5").at(T0 + 200_000).user("u3").session("s3").product("p3", "electronics").partition(2)
        .build());
    pw.add(event("e6").type(EventType.SEARCH).at(T0 + 260_000).user("u1").session("s1").partition(2).build());
    pw.add(event("e7").at(T0 + 30_000).user("u4").session("s4").partition(2).build());
    return pw;
  }

  /** Writes the fixture: {@code java -cp target/classes:target/test-classes ... SnapshotFixture <file>}. */
  public static void main(String[] args) throws IOException {
    Files.write(Path.of(args[0]), build().snapshot());
  }
}
