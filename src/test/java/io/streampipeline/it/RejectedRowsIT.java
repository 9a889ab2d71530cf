package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Rows that pass the processing rules but that PostgreSQL refuses (here a CHECK constraint the operator
 * added) are isolated by splitting the batch: they go to the DLQ with PostgreSQL's reason, the rest is
 * written in the same checkpoint.
 */
class RejectedRowsIT {

  @Test
  void badRowsAreIsolatedAndDeadLetteredTheRestIsWritten() throws Exception {
    ItPipeline it = ItPipeline.create("rejected", Map.of("SINK_BATCH_SIZE", "5000"));
    TestInfra infra = it.infra();
    PipelineConfig config = it.config();
    Db db = it.db();
    db.execute("ALTER TABLE clickstream_events ADD CONSTRAINT no_poison CHECK (page_url <> 'https://poison/')");
    ClickstreamCodec codec = new ClickstreamCodec();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    Map<String, byte[]> sentPoison = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      boolean poison = i % 500 == 17;
      String url = poison ? "https://poison/" : "https://shop.example/p/" + i;
      // A country that normalization changes: a dead letter holding the re-encoded event would differ from it.
      ClickstreamEvent e = new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PAGE_VIEW,
          1_790_000_000_000L + i, "user_" + (i % 7), UUID.randomUUID().toString(), null, null, null, null, null, url,
          null, "Mozilla/5.0", "192.0.2.9", " se ", null);
      byte[] bytes = codec.encode(e);
      if (poison) {
        sentPoison.put(e.eventId(), bytes);
      }
      records.add(new ProducerRecord<>(config.kafka().clickstreamTopic(), e.userId(), bytes));
    }
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), records, null);

    Application app = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(60), "good rows written and bad ones dead-lettered",
          () -> db.count("SELECT count(*) FROM clickstream_events") + "/"
              + db.count("SELECT count(*) FROM dead_letter_events"),
          counts -> counts.equals("1996/4"));
      for (Map<String, Object> row : db.rows("SELECT * FROM dead_letter_events")) {
        assertTrue(((String) row.get("error_reason")).startsWith("rejected by PostgreSQL: "), row.toString());
        assertTrue(((String) row.get("error_reason")).contains("no_poison"), row.toString());
        byte[] payload = "base64".equals(row.get("payload_encoding"))
            ? Base64.getDecoder().decode((String) row.get("original_payload"))
            : ((String) row.get("original_payload")).getBytes(StandardCharsets.UTF_8);
        assertEquals("https://poison/", codec.decode(payload).pageUrl(), "the payload is the refused event");
        assertArrayEquals(sentPoison.get(codec.decode(payload).eventId()), payload,
            "the dead letter holds the bytes as they were read, like every other dead letter");
      }
    } finally {
      app.stop();
    }
  }
}
