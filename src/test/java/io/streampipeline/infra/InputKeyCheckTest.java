package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class InputKeyCheckTest {

  @Test
  void agreesWithTheProducersPartitioner() {
    for (int user = 0; user < 1000; user++) {
      byte[] key = ("user_" + user).getBytes(StandardCharsets.UTF_8);
      assertEquals(BuiltInPartitioner.partitionForKey(key, 6), InputKeyCheck.defaultPartition(key, 6));
    }
  }

  @Test
  void countsMessagesOutOfPlaceOrWithoutKey() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InputKeyCheck check = new InputKeyCheck(registry);
    byte[] key = "user_42".getBytes(StandardCharsets.UTF_8);
    int right = InputKeyCheck.defaultPartition(key, 6);
    assertTrue(check.check("t", right, 0, key, 6));
    assertFalse(check.check("t", (right + 1) % 6, 1, key, 6));
    assertFalse(check.check("t", right, 2, null, 6));
    assertEquals(2.0, registry.get(InputKeyCheck.METRIC).counter().count());
  }
}
