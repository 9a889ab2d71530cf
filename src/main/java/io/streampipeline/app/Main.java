package io.streampipeline.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar stream-pipeline.jar [--roles=generator,pipeline,dashboard] [--key=value ...]}, or
 * {@code --roles=bench [--events=N]} for the benchmark (docs/performance.md), or
 * {@code --roles=replay-dlq [--dry-run] ...} to send dead letters again (README, "Replaying dead letters").
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    PipelineConfig config;
    try {
      config = ConfigLoader.load(System.getenv(), args);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (config.has(Role.BENCH)) {
      // The benchmark runs its own servers and pipeline, prints its table and ends the process.
      System.exit(io.streampipeline.bench.BenchRunner.run(config, System.getenv(), args));
      return;
    }
    if (config.has(Role.REPLAY_DLQ)) {
      // One run over the dead letters against the servers already running, then the process ends.
      System.exit(io.streampipeline.replay.ReplayCommand.run(config));
      return;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    Application app = new Application(config);
    try {
      app.start();
    } catch (RuntimeException e) {
      log.error("stream-pipeline failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: draining lanes and committing what was read");
      app.stop();
      log.info("stopped");
    }, "shutdown"));
    log.info("stream-pipeline running with roles {}", config.roles());
  }
}
