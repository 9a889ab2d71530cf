package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.infra.Topics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LOG_FORMAT=json, from the real jar: every line it writes is one JSON object with the fields log shippers need. */
class JsonLogIT {

  @Test
  void everyLineIsJsonWithTimestampLevelLoggerMessageAndLane() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> env = infra.pipelineConfig(database, "jsonlog");
    env.put("LOG_FORMAT", "json");
    var config = ConfigLoader.fromMap(env);
    Topics.ensure(infra.bootstrapServers, config);
    TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(),
        TestData.generate(5L, 200, 0.1, 1_700_000_000_000L, 100));
    Db db = new Db(infra, database);
    String output;
    try (PipelineProcess process = PipelineProcess.start(env)) {
      Await.until(Duration.ofSeconds(120), "events stored", () -> db.count("SELECT count(*) FROM clickstream_events"),
          n -> n > 0);
      process.terminate(60);
      output = process.output();
    }
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    assertTrue(lines.size() >= 5, output);
    boolean sawLane = false;
    for (String line : lines) {
      JsonObject json;
      try {
        json = new JsonObject(line);
      } catch (DecodeException e) {
        throw new AssertionError("not a JSON line: " + line + "\nwhole output:\n" + output, e);
      }
      Instant at = Instant.parse(json.getString("timestamp"));
      assertTrue(at.isAfter(Instant.parse("2020-01-01T00:00:00Z")), line);
      assertTrue(List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(json.getString("level")), line);
      assertTrue(!json.getString("logger").isEmpty(), line);
      assertTrue(json.containsKey("message"), line);
      if (json.getString("message").startsWith("lane 0:")) {
        assertEquals(0, json.getInteger("lane"), line);
        sawLane = true;
      }
    }
    assertTrue(sawLane, "a lane's line carries \"lane\":\n" + output);
    assertTrue(lines.stream().anyMatch(l -> l.contains("\"message\":\"stopped\"")), output);
  }
}
