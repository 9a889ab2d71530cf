package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.app.Application;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL refuses every connection for a while during a run: nothing is written meanwhile, the consumer
 * pauses once the in-flight bound is reached (memory stays bounded), and when the database is back every
 * event lands exactly once.
 */
class PostgresOutageIT {

  @Test
  void nothingIsLostAndTheConsumerPausesWhileTheDatabaseIsDown() {
    ItPipeline it = ItPipeline.create("outage", Map.of("PIPELINE_MAX_IN_FLIGHT_EVENTS", "3000"));
    TestInfra infra = it.infra();
    String database = it.database();
    PipelineConfig config = it.config();
    Db db = it.db();
    long t0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();
    List<GeneratedMessage> messages = TestData.generate(77L, 24_000, 0.0, t0, 100);
    Set<String> expected = messages.stream().filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId())
        .collect(Collectors.toSet());

    Application app = new Application(config).start();
    try {
      TestData.send(infra.bootstrapServers, config.clickstreamTopic(), messages.subList(0, 4000));
      long before = messages.subList(0, 4000).stream().filter(m -> m.kind() == Kind.VALID).count();
      Await.until(Duration.ofSeconds(60), "first part written",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == before);

      infra.cutOff(database);
      TestData.send(infra.bootstrapServers, config.clickstreamTopic(), messages.subList(4000, messages.size()));
      Await.until(Duration.ofSeconds(60), "consumer paused by backpressure",
          () -> app.metrics().pausedLanes(), paused -> paused == 1);
      Await.sleep(3000);
      assertEquals(1, app.metrics().pausedLanes(), "still paused while PostgreSQL is down");

      infra.reconnect(database);
      Await.until(Duration.ofSeconds(120), "everything written after the outage",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == expected.size());
      Set<String> stored = db.rows("SELECT event_id FROM clickstream_events").stream()
          .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
      assertEquals(expected, stored);
      Await.until(Duration.ofSeconds(30), "consumer resumed", () -> app.metrics().pausedLanes(), p -> p == 0);
    } finally {
      infra.reconnect(database);
      app.stop();
    }
  }
}
