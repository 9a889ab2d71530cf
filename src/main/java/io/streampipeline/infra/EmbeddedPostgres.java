package io.streampipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's bundled binaries) run as a child process, with its data directory kept
 * between runs. It creates the database, user and password {@code pipeline}. The server's own log goes to
 * {@code postgres.log} beside the data directory. Blocking: call it before Vert.x starts or from a worker thread.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  /**
   * How long a fast shutdown may take before the server is stopped at once. Its shutdown checkpoint flushes every
   * dirty buffer with fsync on, which a slow or busy disk can stretch well past the 5 s zonky's stop waits.
   */
  private static final Duration FAST_STOP_WAIT = Duration.ofSeconds(120);
  /** How long an immediate shutdown (no checkpoint; recovery at the next start) may take before it is killed. */
  private static final long IMMEDIATE_STOP_SECONDS = 15;
  private static final int LOG_TAIL_LINES = 20;
  public static final String NAME = "pipeline";

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final Path dataDir;
  private final int port;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDir, int port) {
    this.server = server;
    this.dataDir = dataDir;
    this.port = port;
  }

  public static EmbeddedPostgres start(Path dataDir, int port) {
    return start(dataDir, port, Map.of());
  }

  /**
   * With server settings over ours, e.g. ssl=on and its certificate files (tests of TLS). A start that fails is
   * tried once more after whatever is left of the server is stopped; the second failure names the directory and
   * quotes the end of the server's log.
   */
  public static EmbeddedPostgres start(Path dataDir, int port, Map<String, String> serverConfig) {
    Path log = logFile(dataDir);
    try {
      Files.createDirectories(dataDir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dataDir.getParent(), e);
    }
    IOException first;
    try {
      return startOnce(dataDir, port, serverConfig, log);
    } catch (IOException e) {
      first = e;
    }
    LOG.warn("embedded PostgreSQL did not start in {} ({}); stopping what is left of it and trying once more. "
        + "Its log ends:\n{}", dataDir, first.getMessage(), logTail(log));
    try {
      return startOnce(dataDir, port, serverConfig, log);
    } catch (IOException e) {
      e.addSuppressed(first);
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir + " on port " + port
          + "; its log " + log + " ends:\n" + logTail(log), e);
    }
  }

  private static EmbeddedPostgres startOnce(Path dataDir, int port, Map<String, String> serverConfig, Path log)
      throws IOException {
    postmaster(dataDir).ifPresent(p -> stop(p, FAST_STOP_WAIT));
    removeStalePidFile(dataDir);
    requireFree(port);
    var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        // We stop it ourselves, after the pipeline has drained into it.
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setPGStartupWait(STARTUP_WAIT)
        // zonky would pass the server's messages to its logger, which only shows warnings; a file keeps them.
        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
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
    return new EmbeddedPostgres(server, dataDir, port);
  }

  /**
   * A port another program holds fails at once, with a line that says so, instead of a server that starts, cannot
   * listen and leaves the caller waiting out the start-up timeout twice.
   */
  private static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw new IllegalStateException("embedded PostgreSQL cannot listen on 127.0.0.1:" + port
          + ": another program uses that port (" + e.getMessage() + "); choose another EMBEDDED_POSTGRES_PORT");
    }
  }

  static Path logFile(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + ".log");
  }

  private static String logTail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * The server that holds the data directory, if one runs: the first line of its postmaster.pid. A file left by a
   * server that died with its machine can name a process id that now belongs to another program (this one
   * included), which must not be signalled: only a live PostgreSQL process counts.
   */
  private static Optional<ProcessHandle> postmaster(Path dataDir) {
    return namedInPidFile(dataDir)
        .filter(p -> p.pid() != ProcessHandle.current().pid() && isPostgres(p));
  }

  /** The live process whose id is the first line of the data directory's postmaster.pid, if there is one. */
  private static Optional<ProcessHandle> namedInPidFile(Path dataDir) {
    try {
      return Files.readAllLines(dataDir.resolve("postmaster.pid")).stream().findFirst()
          .map(String::trim).filter(s -> s.matches("\\d+"))
          .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
          .filter(ProcessHandle::isAlive);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /**
   * PostgreSQL refuses a data directory whose postmaster.pid names a live process, whatever that process is. After
   * a machine restart the id may belong to another program; the file is removed then, and only when that
   * program is certainly not PostgreSQL.
   */
  private static void removeStalePidFile(Path dataDir) throws IOException {
    Optional<ProcessHandle> named = namedInPidFile(dataDir);
    if (named.isPresent() && commandLine(named.get()).map(c -> !c.contains("postgres")).orElse(false)) {
      Path pidFile = dataDir.resolve("postmaster.pid");
      LOG.info("{} names process {}, which is not PostgreSQL (a stale lock file); removing it", pidFile,
          named.get().pid());
      Files.delete(pidFile);
    }
  }

  private static boolean isPostgres(ProcessHandle process) {
    return commandLine(process).map(c -> c.contains("postgres")).orElse(false);
  }

  /** PostgreSQL renames its processes; /proc shows the name, ProcessHandle.Info does not always. */
  private static Optional<String> commandLine(ProcessHandle process) {
    try {
      return Optional.of(Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"),
          StandardCharsets.ISO_8859_1)).filter(c -> !c.isEmpty()).or(() -> process.info().command());
    } catch (IOException e) {
      return process.info().command();
    }
  }

  /**
   * Stops a running server and waits until it and its children are gone: fast shutdown first, then immediate,
   * then kill. Its children are killed too if they outlive it, because a child still attached to the old shared
   * memory makes the next start refuse the data directory.
   */
  private static void stop(ProcessHandle postmaster, Duration fastStopWait) {
    List<ProcessHandle> children = postmaster.descendants().toList();
    if (!signal(postmaster, "INT", fastStopWait.toSeconds())) {
      LOG.warn("embedded PostgreSQL (pid {}) did not finish its fast shutdown in {} s; stopping it at once",
          postmaster.pid(), fastStopWait.toSeconds());
      if (!signal(postmaster, "QUIT", IMMEDIATE_STOP_SECONDS)) {
        postmaster.destroyForcibly();
        awaitExit(postmaster, IMMEDIATE_STOP_SECONDS);
      }
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
        awaitExit(child, IMMEDIATE_STOP_SECONDS);
      }
    }
  }

  /**
   * Sends a signal and waits for the process to end; true if it did. PostgreSQL's SIGINT is the fast shutdown
   * (clients are disconnected, then a checkpoint) and SIGQUIT the immediate one. SIGTERM, all
   * {@link ProcessHandle#destroy} can send, is the smart shutdown, which waits for every client to leave: with a
   * pipeline still connected and retrying it never ends.
   */
  private static boolean signal(ProcessHandle process, String signal, long waitSeconds) {
    try {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
    return awaitExit(process, waitSeconds);
  }

  private static boolean awaitExit(ProcessHandle process, long seconds) {
    try {
      process.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (Exception e) {
      return !process.isAlive();
    }
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
   * Stops the server and returns once it is gone. A checkpoint first writes the dirty buffers while the server
   * still serves, so the shutdown checkpoint has little left to do. zonky's stop waits 5 s at most and then only
   * logs; whatever still runs after it is stopped here, so that the next start finds the data directory free.
   */
  @Override
  public void close() {
    close(FAST_STOP_WAIT);
  }

  /** With a shorter wait for the checkpoint and the fast shutdown, for the test that makes them hang. */
  void close(Duration fastStopWait) {
    Optional<ProcessHandle> postmaster = postmaster(dataDir);
    try (Connection conn = server.getPostgresDatabase().getConnection(); Statement st = conn.createStatement()) {
      // Bounded: a checkpointer that cannot finish must not keep the stop from reaching the shutdown below.
      st.setQueryTimeout((int) fastStopWait.toSeconds());
      st.execute("CHECKPOINT");
    } catch (SQLException e) {
      // stopping anyway
    }
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("zonky's stop of embedded PostgreSQL failed: {}", e.toString());
    }
    postmaster.filter(ProcessHandle::isAlive).ifPresent(p -> stop(p, fastStopWait));
  }
}
