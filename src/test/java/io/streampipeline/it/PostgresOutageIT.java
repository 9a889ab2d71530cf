package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.EventTimes;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.it.support.WindowChecks;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PostgreSQL refuses every connection for a while during a run: nothing is written meanwhile, the consumer
 * pauses once the in-flight bound is reached (memory stays bounded), and when the database is back every
 * event lands exactly once and every window and session equals what the stored events make, with event times
 * near the wall clock and hours behind it, produced into a pipeline that was started first.
 */
class PostgresOutageIT {

  @ParameterizedTest
  @EnumSource(EventTimes.class)
  void nothingIsLostAndTheConsumerPausesWhileTheDatabaseIsDown(EventTimes times) {
    Map<String, String> settings = new HashMap<>(EventTimes.QUICK_CLOSE);
    settings.put("PIPELINE_MAX_IN_FLIGHT_EVENTS", "3000");
    ItPipeline it = ItPipeline.create("outage", settings);
    TestInfra infra = it.infra();
    String database = it.database();
    PipelineConfig config = it.config();
    Db db = it.db();

    Application app = new Application(config).start();
    try {
      EventTimes.awaitReadingAndWaiting(app, config);
      List<GeneratedMessage> first = times.produce(infra.bootstrapServers, config.kafka().clickstreamTopic(), 77L, 0, 4000,
          0.0, 100, 1000, 0).all();
      long before = first.stream().filter(m -> m.kind() == Kind.VALID).count();
      Await.until(Duration.ofSeconds(60), "first part written",
          () -> db.count("SELECT count(*) FROM clickstream_events"), n -> n == before);

      infra.cutOff(database);
      List<GeneratedMessage> second = times.produce(infra.bootstrapServers, config.kafka().clickstreamTopic(), 78L, 4000,
          20_000, 0.0, 100, 1000, 0).all();
      Set<String> expected = Stream.concat(first.stream(), second.stream())
          .filter(m -> m.kind() == Kind.VALID).map(m -> m.event().eventId()).collect(Collectors.toSet());
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
      WindowChecks.awaitAllExact(db, config, expected.size());
      Await.until(Duration.ofSeconds(30), "consumer resumed", () -> app.metrics().pausedLanes(), p -> p == 0);
    } finally {
      infra.reconnect(database);
      app.stop();
    }
  }
}
