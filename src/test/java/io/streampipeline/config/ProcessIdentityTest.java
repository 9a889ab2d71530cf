package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}
