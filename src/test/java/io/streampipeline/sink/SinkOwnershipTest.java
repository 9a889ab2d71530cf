package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SinkOwnershipTest {
  private final SinkOwnership ownership = new SinkOwnership();

  @Test
  void aRefusedPartitionIsNotAcceptedUntilItIsRestoredUnderANewEpoch() {
    ownership.restored(0, 4);
    assertTrue(ownership.accepts(0, 4));
    ownership.refused(0, 4);
    assertFalse(ownership.accepts(0));
    assertEquals(Set.of(0), ownership.notAccepted(Map.of(0, 4L)), "a checkpoint sent before the refusal");
    ownership.restored(0, 5);
    assertTrue(ownership.accepts(0, 5));
    assertFalse(ownership.accepts(0, 4));
  }

  @Test
  void aLateRefusalOfAnOlderEpochDoesNotStopTheNewOne() {
    ownership.restored(0, 5);
    ownership.refused(0, 4);
    assertTrue(ownership.accepts(0, 5));
  }

  @Test
  void revokedPartitionsAreNotAccepted() {
    ownership.restored(1, 1);
    ownership.revoked(1);
    assertEquals(-1, ownership.epochOf(1));
    assertEquals(Set.of(1), ownership.notAccepted(Map.of(1, 1L)));
  }
}
