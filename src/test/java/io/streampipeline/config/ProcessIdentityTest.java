package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
  @Test
  void replicasThatAllRunAsPidOneAreToldApartByTheirPodNames() {
    String a = ProcessIdentity.of("stream-pipeline-5d9f7c6b8-abcde", 1, "0badcafe");
    String b = ProcessIdentity.of("stream-pipeline-5d9f7c6b8-fghij", 1, "0badcafe");
    assertNotEquals(a, b);
    assertEquals("stream-pipeline-5d9f7c6b8-abcde-0badcafe", a);
  }

  @Test
  void aRestartedContainerWithTheSamePodNameGetsANewIdentity() {
    assertNotEquals(ProcessIdentity.of("pod-a", 1, "00000001"), ProcessIdentity.of("pod-a", 1, "00000002"));
  }

  @Test
  void withoutAHostNameThePidAndTheRandomSuffixNameTheProcess() {
    assertEquals("pid4242-12345678", ProcessIdentity.of(null, 4242, "12345678"));
    assertEquals("pid7-12345678", ProcessIdentity.of("  ", 7, "12345678"));
  }

  @Test
  void hostNamesAreCutToCharactersKafkaAndLogsTakeAsTheyAre() {
    String id = ProcessIdentity.of("Some Host_" + "x".repeat(100), 1, "abcdef01");
    assertTrue(id.matches("[a-z0-9.-]+"), id);
    assertTrue(id.length() <= 40 + 9, id);
    assertTrue(id.startsWith("some-host-x"), id);
  }

  @Test
  void thisProcessHasOneIdentityForItsWholeLife() {
    assertEquals(ProcessIdentity.id(), ProcessIdentity.id());
    assertTrue(ProcessIdentity.id().matches(".+-[0-9a-f]{8}"), ProcessIdentity.id());
  }

  @Test
  void aLaneConsumersClientIdCarriesItsLaneNumber() {
    assertEquals(0, ProcessIdentity.laneOf(ProcessIdentity.laneClientId(0)));
    assertEquals(11, ProcessIdentity.laneOf(ProcessIdentity.laneClientId(11)));
    assertEquals(3, ProcessIdentity.laneOf("stream-pipeline-lane-3-pod-7f9c-0badcafe"), "another process's lane");
  }

  @Test
  void aClientIdOfAnotherFormHasNoLaneNumber() {
    assertNull(ProcessIdentity.laneOf("consumer-1"));
    assertNull(ProcessIdentity.laneOf("stream-pipeline-outbox-" + ProcessIdentity.id()));
    assertNull(ProcessIdentity.laneOf("stream-pipeline-lane-x-1"));
    assertNull(ProcessIdentity.laneOf(null));
  }
}
