package io.streampipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (zonky's bundled binaries) run as a child process, with its data directory kept
 * between runs. It creates the database, user and password {@code pipeline}. Blocking: call it before
 * Vert.x starts or from a worker thread.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  /** How long a server left running by a killed process gets to stop before it is killed. */
  private static final long ORPHAN_STOP_SECONDS = 30;
  public static final String NAME = "pipeline";

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final int port;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedPostgres start(Path dataDir, int port) {
    return start(dataDir, port, Map.of());
  }

  /** With server settings over ours, e.g. ssl=on and its certificate files (tests of TLS). */
  public static EmbeddedPostgres start(Path dataDir, int port, Map<String, String> serverConfig) {
    try {
      Files.createDirectories(dataDir.getParent());
      stopOrphan(dataDir);
      var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          // We stop it ourselves, after the pipeline has drained into it.
          .setRegisterShutdownHook(false)
          .setPort(port)
          .setPGStartupWait(STARTUP_WAIT)
          .setServerConfig("max_connections", "200")
          .setServerConfig("shared_buffers", "128MB")
          .setServerConfig("listen_addresses", "127.0.0.1")
          // zonky's test defaults trade durability for speed; this database holds the pipeline's data and its
          // exactly-once checkpoints, so every commit is flushed like on any production server.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on");
      serverConfig.forEach(builder::setServerConfig);
      var server = builder.start();
      createDatabase(server);
      return new EmbeddedPostgres(server, port);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
    }
  }

  /** A server left running by a process that was killed still holds the data directory: stop it. */
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> orphan = Files.readAllLines(pidFile).stream().findFirst()
        .map(String::trim).filter(s -> s.matches("\\d+"))
        .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));
    if (orphan.isPresent() && orphan.get().isAlive()) {
      fastShutdown(orphan.get());
      try {
        orphan.get().onExit().get(ORPHAN_STOP_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        orphan.get().destroyForcibly();
      }
    }
  }

  /**
   * SIGINT is PostgreSQL's fast shutdown: clients are disconnected and the server stops after a checkpoint.
   * (SIGTERM, all {@link ProcessHandle#destroy} can send, is the smart shutdown, which waits for every client to
   * leave: with a pipeline still connected and retrying it never ends.)
   */
  private static void fastShutdown(ProcessHandle postmaster) {
    try {
      if (new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.pid())).start().waitFor() == 0) {
        return;
      }
    } catch (IOException e) {
      // no kill command: fall back to SIGTERM
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postmaster.destroy();
  }

  private static void createDatabase(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
    try (Connection conn = server.getPostgresDatabase().getConnection(); Statement st = conn.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + NAME + "'")) {
        if (!rs.next()) {
          st.execute("CREATE ROLE " + NAME + " LOGIN SUPERUSER PASSWORD '" + NAME + "'");
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + NAME + "'")) {
        if (!rs.next()) {
          st.execute("CREATE DATABASE " + NAME + " OWNER " + NAME);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the pipeline database in embedded PostgreSQL", e);
    }
  }

  public int port() {
    return port;
  }

  /**
   * Stops the server. A checkpoint first writes the dirty buffers while the server still serves, so the shutdown
   * checkpoint that zonky's stop waits for (5 s at most) has little left to do, even with fsync on and a busy disk.
   */
  @Override
  public void close() {
    try (Connection conn = server.getPostgresDatabase().getConnection(); Statement st = conn.createStatement()) {
      st.execute("CHECKPOINT");
    } catch (SQLException e) {
      // stopping anyway
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
