package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.RegistryStandIn;
import io.streampipeline.it.support.TestData;
import io.streampipeline.app.Application;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.event.RegistrySchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The replay's reason to exist: a producer writes with a schema the registry does not know yet, so its events go to
 * the DLQ; the schema is registered; the replay stores each of them exactly once, and a second replay sends
 * nothing.
 */
class ReplayAfterRegistryIT {
  private static final String USER_INFO = "pipeline:registry-secret";

  @Test
  void eventsOfASchemaRegisteredLaterAreStoredOnceByTheReplay() throws Exception {
    try (RegistryStandIn registry = new RegistryStandIn(USER_INFO)) {
      ItPipeline it = ItPipeline.create("replay-registry", Map.of("SCHEMA_REGISTRY_URL", registry.url(),
          "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", USER_INFO));
      String topic = it.config().kafka().clickstreamTopic();
      ClickstreamCodec codec = new ClickstreamCodec();
      long base = Instant.parse("2026-11-30T08:00:00Z").toEpochMilli();
      // The stand-in gives the first schema registered id 1: the producer already frames with it.
      int futureId = 1;
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String user = "user_" + (i % 9);
        ClickstreamEvent e = new ClickstreamEvent("late-schema-" + i, EventType.PAGE_VIEW, base + i * 1000L, user,
            UUID.nameUUIDFromBytes(user.getBytes()).toString(), null, null, null, null, null,
            "https://shop.example/p/" + i, null, "Mozilla/5.0", "192.0.2.10", "NO", null);
        byte[] single = codec.encode(e);
        records.add(new ProducerRecord<>(topic, user, i % 3 == 0 ? single
            : RegistryFraming.fromSingleObject(single, futureId)));
      }
      TestData.send(it.infra().bootstrapServers, topic, records, null);

      Application app = new Application(it.config()).start();
      try {
        Await.until(Duration.ofSeconds(90), "single-object events stored, registry-framed ones dead-lettered",
            () -> it.db().count("SELECT count(*) FROM clickstream_events") + "/"
                + it.db().count("SELECT count(*) FROM dead_letter_events WHERE error_reason LIKE "
                + "'unknown schema registry id 1%'"), s -> s.equals("20/40"));

        assertEquals(futureId, registry.register(topic + "-value", ClickstreamCodec.V1.toString()));
        // The pipeline asks about an id it was told is unknown again after this long.
        Await.sleep(RegistrySchemas.RECHECK_UNKNOWN_MS + 1000);

        Map<String, String> env = new HashMap<>(it.settings());
        env.remove("ROLES");
        String first = replay(env);
        assertTrue(first.contains("replay-dlq finished: 40 sent to " + topic), first);
        Await.until(Duration.ofSeconds(90), "every replayed event stored",
            () -> it.db().count("SELECT count(*) FROM clickstream_events"), n -> n == 60);
        assertEquals(60, it.db().count("SELECT count(DISTINCT event_id) FROM clickstream_events "
            + "WHERE event_id LIKE 'late-schema-%'"), "each once");
        assertEquals(40, it.db().count("SELECT count(*) FROM dead_letter_events WHERE replay_count = 1"));
        assertEquals(40, it.db().count("SELECT count(*) FROM dead_letter_events"), "none came back");

        String second = replay(env);
        assertTrue(second.contains("replay-dlq finished: 0 sent to " + topic), second);
      } finally {
        app.stop();
      }
      assertEquals(60, it.db().count("SELECT count(*) FROM clickstream_events"));
    }
  }

  private static String replay(Map<String, String> env) throws InterruptedException {
    try (PipelineProcess process = PipelineProcess.start(env, "--roles=replay-dlq")) {
      int exit = process.waitFor(180);
      System.out.println("[ReplayAfterRegistryIT] replay:\n" + process.output());
      assertEquals(0, exit, process.output());
      return process.output();
    }
  }
}
