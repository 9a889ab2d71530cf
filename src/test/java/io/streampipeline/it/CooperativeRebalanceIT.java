package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.streampipeline.app.Application;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A second process joins the consumer group: only the partitions that move to it are revoked and restored. The
 * first process keeps reading the others with their state (with Kafka's eager assignment it would give up all six
 * and restore the three it keeps, stopping every lane on every membership change).
 */
class CooperativeRebalanceIT {

  private static double restores(Application app) {
    return app.metrics().registry().find("stream_pipeline_state_restores").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Test
  void aJoiningProcessTakesPartitionsWithoutStoppingTheOthers() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> settings = infra.pipelineConfig(database, "cooperative");
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Topics.ensure(infra.bootstrapServers, config);
    Db db = new Db(infra, database);

    Application first = new Application(config).start();
    try {
      Await.until(Duration.ofSeconds(60), "the first process owns every partition", () -> restores(first),
          n -> n == Topics.EVENT_PARTITIONS);
      Map<String, String> second = new HashMap<>(settings);
      second.put("METRICS_PORT", String.valueOf(Ports.free()));
      second.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
      try (PipelineProcess joining = PipelineProcess.start(second)) {
        // Each claim raises a partition's owner epoch: the first process claimed all six once.
        Await.until(Duration.ofSeconds(90), "the second process claimed its share",
            () -> db.count("SELECT count(*) FROM pipeline_checkpoints WHERE owner_epoch >= 2"), n -> n == 3);
        Await.sleep(2000);
        assertEquals(Topics.EVENT_PARTITIONS, restores(first), 0.0,
            "the first process restored nothing again: its kept partitions were never revoked");
        assertEquals(3, db.count("SELECT count(*) FROM pipeline_checkpoints WHERE owner_epoch = 1"),
            "the three partitions that stayed were claimed once");
        assertEquals(3, db.count("SELECT count(*) FROM pipeline_checkpoints WHERE owner_epoch = 2"));
      }
    } finally {
      first.stop();
    }
  }
}
