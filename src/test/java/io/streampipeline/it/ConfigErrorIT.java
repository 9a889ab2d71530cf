package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.PipelineProcess;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bad value stops start-up with one line naming the key, and no stack trace, from the real jar. */
class ConfigErrorIT {

  private static void assertRefused(Map<String, String> env, String line, String... args) throws Exception {
    try (PipelineProcess process = PipelineProcess.start(env, args)) {
      assertEquals(2, process.waitFor(60), process.output());
      assertEquals(line, process.output().strip());
    }
  }

  @Test
  void badPortFromEnvironment() throws Exception {
    assertRefused(Map.of("DASHBOARD_PORT", "abc"), "Invalid configuration: DASHBOARD_PORT='abc' is not a port number");
  }

  @Test
  void negativeRate() throws Exception {
    assertRefused(Map.of("PRODUCER_EVENTS_PER_SECOND", "-1"),
        "Invalid configuration: PRODUCER_EVENTS_PER_SECOND='-1' must be between 0 and 10000000");
  }

  @Test
  void unknownRoleFromFlag() throws Exception {
    assertRefused(Map.of(), "Invalid configuration: ROLES='everything' names an unknown role 'everything' "
        + "(known: generator, pipeline, dashboard, bench, replay-dlq)", "--roles=everything");
  }
}
