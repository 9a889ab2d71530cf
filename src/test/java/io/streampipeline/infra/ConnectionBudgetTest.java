package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

  @Test
  void lanesTimesPoolPlusTheFixedPoolsAndTheHealthCheckOfEveryRole() {
    PipelineConfig c = ConfigLoader.fromMap(Map.of("PIPELINE_INSTANCES", "4", "POSTGRES_POOL_SIZE", "3",
        "ROLES", "pipeline,dashboard"));
    // 4 lanes x (3 sink + 1 ingest) + 2 outbox (publisher, backlog) + 1 retention + 2 dashboard + 1 health
    assertEquals(22, ConnectionBudget.needed(c));
    assertEquals(3, ConnectionBudget.needed(ConfigLoader.fromMap(Map.of("ROLES", "dashboard"))));
    assertEquals(1, ConnectionBudget.needed(ConfigLoader.fromMap(Map.of("ROLES", "generator"))));
  }

  @Test
  void refusesWhatDoesNotFitInOneLine() {
    PipelineConfig c = ConfigLoader.fromMap(Map.of("PIPELINE_INSTANCES", "8", "POSTGRES_POOL_SIZE", "10",
        "ROLES", "pipeline"));
    int needed = ConnectionBudget.needed(c);
    assertEquals(92, needed);
    assertNull(ConnectionBudget.check(c, needed, 100, 3, 5, "db:5432"));
    String refusal = ConnectionBudget.check(c, needed, 100, 3, 6, "db:5432");
    assertEquals("PostgreSQL at db:5432 has room for 91 more connections (max_connections=100, 3 reserved for "
        + "superusers, 6 in use) but this process needs 92 (PIPELINE_INSTANCES=8 x (POSTGRES_POOL_SIZE=10 + 1) + "
        + "outbox, retention, dashboard and health check): lower POSTGRES_POOL_SIZE or PIPELINE_INSTANCES, or raise max_connections on the "
        + "server", refusal);
  }
}
