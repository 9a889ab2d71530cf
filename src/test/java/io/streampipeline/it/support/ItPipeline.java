package io.streampipeline.it.support;

import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.Topics;
import java.util.HashMap;
import java.util.Map;

/**
 * One integration test's own pipeline on the shared servers: a fresh database with the schema, topics and a
 * consumer group of its own (topics created), the configuration keys a pipeline needs to use them (also for a
 * {@link PipelineProcess}'s environment), and a {@link Db} to look at the results.
 */
public record ItPipeline(TestInfra infra, String database, Map<String, String> settings, PipelineConfig config,
    Db db) {

  public static ItPipeline create(String name) {
    return create(name, Map.of());
  }

  /** @param overrides keys set on top of {@link TestInfra#pipelineConfig} */
  public static ItPipeline create(String name, Map<String, String> overrides) {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Map<String, String> settings = new HashMap<>(infra.pipelineConfig(database, name));
    settings.putAll(overrides);
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Topics.ensure(infra.bootstrapServers, config);
    return new ItPipeline(infra, database, settings, config, new Db(infra, database));
  }

  /** The addresses a verticle deployed on its own (without an Application) connects to. */
  public Endpoints endpoints() {
    return new Endpoints(infra.bootstrapServers, infra.pgHost, infra.pgPort, database, infra.pgUser,
        infra.pgPassword);
  }
}
