package io.streampipeline.app;

import io.streampipeline.bench.BenchRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar stream-pipeline.jar [--roles=generator,pipeline,dashboard] [--key=value ...]}, or
 * {@code --roles=bench [--events=N]} for the benchmark (docs/performance.md).
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
      System.exit(BenchRunner.run(config, System.getenv(), args));
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
