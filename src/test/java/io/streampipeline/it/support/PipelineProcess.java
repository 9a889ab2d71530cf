package io.streampipeline.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The fat jar run as a separate process, as an operator runs it; killable with SIGKILL. */
public final class PipelineProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private PipelineProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("pipeline.jar", "target/stream-pipeline.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the integration tests with mvn verify");
    }
    return jar;
  }

  public static PipelineProcess start(Map<String, String> env, String... args) {
    try {
      Path log = Files.createTempFile("pipeline-process", ".log");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-Xmx512m", "-jar", jar().toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("POSTGRES_")
          || k.startsWith("PRODUCER_") || k.startsWith("SINK_") || k.startsWith("WINDOW_") || k.equals("ROLES"));
      builder.environment().putAll(env);
      return new PipelineProcess(builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("process still running after " + seconds + " s; output:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, nothing flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the graceful path. */
  public int terminate(long seconds) throws InterruptedException {
    process.destroy();
    return waitFor(seconds);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
