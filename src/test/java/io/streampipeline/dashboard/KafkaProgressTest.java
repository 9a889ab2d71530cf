package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The lane number the dashboard shows is the one in the consumer's client id, as the log numbers lanes. */
class KafkaProgressTest {

  @Test
  void theLaneNumberIsTheOneInTheClientId() {
    assertEquals(0, KafkaProgress.laneNumber("stream-pipeline-lane-0-host-1234"));
    assertEquals(3, KafkaProgress.laneNumber("stream-pipeline-lane-3-pod-7f9c"));
    assertEquals(12, KafkaProgress.laneNumber("stream-pipeline-lane-12"));
  }

  @Test
  void aClientIdOfAnotherFormHasNoLaneNumber() {
    assertNull(KafkaProgress.laneNumber("consumer-1"));
    assertNull(KafkaProgress.laneNumber("stream-pipeline-lane-x-1"));
    assertNull(KafkaProgress.laneNumber(null));
  }
}
