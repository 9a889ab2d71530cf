package io.streampipeline.app;

import io.streampipeline.bench.BenchRunner;
import io.streampipeline.bench.BenchedPipeline;
import io.streampipeline.bench.PipelineChild;
import io.streampipeline.bench.PipelineLauncher;
import io.streampipeline.config.ConfigException;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.Role;
import io.streampipeline.infra.Logging;
import io.streampipeline.infra.StartupException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar stream-pipeline.jar [--roles=generator,pipeline,dashboard] [--key=value ...]}, or
 * {@code --roles=bench [--events=N]} for the benchmark (docs/performance.md), or
 * {@code --roles=replay-dlq [--dry-run] ...} to send dead letters again (docs/operations.md, "Replaying dead letters").
 */
public final class Main {
  /** The bench measures the pipeline this wiring makes, in this JVM or in pipeline JVMs started with this class. */
  private static final PipelineLauncher BENCH_LAUNCHER = new PipelineLauncher() {
    @Override
    public BenchedPipeline create(PipelineConfig config) {
      return new Application(config);
    }

    @Override
    public String childMainClass() {
      return Main.class.getName();
    }
  };

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
    Logging.configure(config.ops().logFormat());
    if (System.getenv(PipelineChild.REPORT_ENV) != null) {
      // A pipeline process the bench started (--separate-jvm): runs until the bench stops it.
      PipelineChild.run(config, BENCH_LAUNCHER);
      return;
    }
    if (config.has(Role.BENCH)) {
      // The benchmark runs its own servers and pipeline, prints its table and ends the process.
      System.exit(BenchRunner.run(config, System.getenv(), args, BENCH_LAUNCHER));
      return;
    }
    if (config.has(Role.REPLAY_DLQ)) {
      // One run over the dead letters against the servers already running, then the process ends.
      System.exit(io.streampipeline.replay.ReplayCommand.run(config));
      return;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    Application app = new Application(config);
    // Registered before start-up so a SIGTERM during a long start (embedded servers, migrations, joining the
    // group) still stops cleanly; stop() waits for the current start-up step and undoes what started.
    // Set when the process ends by itself (a failed start, or POSTGRES_MIGRATE=only done): nothing to drain.
    AtomicBoolean ended = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (ended.get()) {
        return;
      }
      log.info("shutting down: draining lanes and committing what was read");
      app.stop();
      log.info("stopped");
    }, "shutdown"));
    try {
      app.start();
    } catch (ConfigException e) {
      ended.set(true);
      log.error(e.getMessage());
      System.exit(2);
      return;
    } catch (StartupException e) {
      // A refusal the operator fixes outside the pipeline (credentials, certificates, topics): the one line says
      // what, a stack trace would bury it.
      ended.set(true);
      log.error("stream-pipeline cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      if (app.stopRequested()) {
        log.info("start-up interrupted by shutdown");
        return;
      }
      ended.set(true);
      log.error("stream-pipeline failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    if (app.migrateOnly()) {
      ended.set(true);
      app.stop();
      log.info("POSTGRES_MIGRATE=only: schema migrations applied, exiting");
      System.exit(0);
      return;
    }
    log.info("stream-pipeline running with roles {}", config.roles());
  }
}
