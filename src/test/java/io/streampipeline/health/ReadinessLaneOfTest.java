package io.streampipeline.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReadinessLaneOfTest {
  private static final String PREFIX = "stream-pipeline-lane-";
  private static final String SELF = "stream-pipeline-7c9-abcde-0badcafe";

  @Test
  void aMemberOfThisProcessIsFoundWithItsLane() {
    assertEquals(0, Readiness.laneOf(PREFIX + "0-" + SELF, PREFIX, SELF));
    assertEquals(11, Readiness.laneOf(PREFIX + "11-" + SELF, PREFIX, SELF));
  }

  @Test
  void anotherReplicasMemberWithTheSameLaneNumberIsNotThisProcesssLane() {
    assertNull(Readiness.laneOf(PREFIX + "0-stream-pipeline-7c9-fghij-0badcafe", PREFIX, SELF));
    // Every replica's java is PID 1: an id that ends in the same PID names some other process.
    assertNull(Readiness.laneOf(PREFIX + "0-1", PREFIX, "1-0badcafe"));
  }

  @Test
  void idsOfOtherClientsOrWithoutALaneNumberAreIgnored() {
    assertNull(Readiness.laneOf("stream-pipeline-outbox-" + SELF, PREFIX, SELF));
    assertNull(Readiness.laneOf(PREFIX + "x-" + SELF, PREFIX, SELF));
    assertNull(Readiness.laneOf(PREFIX + "-" + SELF, PREFIX, SELF));
  }
}
