package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarting the embedded server must not depend on how quickly it stops. zonky's stop gives a fast shutdown 5 s
 * and then only logs; a server still busy with its shutdown checkpoint (fsync on, a slow or loaded disk) used to
 * be killed without its children, and a child still attached to the old shared memory made every later start
 * refuse the data directory, so the tests after it all failed with "connection refused".
 */
class EmbeddedPostgresIT {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aServerThatHangsInItsShutdownIsStoppedWithItsChildrenAndStartsAgainWithItsData() throws Exception {
    Path data = dir.resolve("postgres");
    int port = Ports.free();
    EmbeddedPostgres first = EmbeddedPostgres.start(data, port);
    sql(port, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
    long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    List<ProcessHandle> children = ProcessHandle.of(postmaster).orElseThrow().descendants().toList();
    ProcessHandle checkpointer = children.stream().filter(p -> commandLine(p).contains("checkpointer"))
        .findFirst().orElseThrow(() -> new AssertionError("no checkpointer among " + children));
    EmbeddedPostgres second = null;
    try {
      // A stopped checkpointer cannot write the shutdown checkpoint: the fast shutdown waits for it forever.
      kill("STOP", checkpointer.pid());
      first.close(Duration.ofSeconds(2));
      assertFalse(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "postmaster still runs");
      for (ProcessHandle child : children) {
        assertFalse(child.isAlive(), "a child of the old server still runs: " + child.info());
      }
      second = EmbeddedPostgres.start(data, port);
      assertEquals(42, queryInt(port, "SELECT n FROM kept"));
      assertTrue(Files.readString(EmbeddedPostgres.logFile(data)).contains("database system is ready"),
          "the server's log is kept beside its data directory");
    } finally {
      if (second != null) {
        second.close();
      }
      // Whatever the code under test left behind must not outlive the test.
      for (ProcessHandle process : children) {
        process.destroyForcibly();
      }
      ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** PostgreSQL renames its processes, which ProcessHandle.Info does not show; /proc does. */
  private static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void aLockFileNamingAnotherProgramNeitherStopsTheStartNorThatProgram() throws Exception {
    Path data = dir.resolve("postgres");
    int port = Ports.free();
    EmbeddedPostgres.start(data, port).close();
    // As after a machine restart: the old server's process id now belongs to something else.
    Process other = new ProcessBuilder("sleep", "600").start();
    try {
      Files.writeString(data.resolve("postmaster.pid"), other.pid() + "\n" + data + "\n");
      EmbeddedPostgres.start(data, port).close();
      assertTrue(other.isAlive(), "the program that now has the old server's process id was signalled");
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void aPortAnotherProgramHoldsStopsTheStartWithALineNamingIt() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = other.getLocalPort();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> EmbeddedPostgres.start(dir.resolve("postgres"), port));
      assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("EMBEDDED_POSTGRES_PORT"),
          e.getMessage());
    }
  }

  private static void kill(String signal, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor());
  }

  private static Connection connect(int port) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + EmbeddedPostgres.NAME,
        EmbeddedPostgres.NAME, EmbeddedPostgres.NAME);
  }

  private static void sql(int port, String sql) throws Exception {
    try (Connection conn = connect(port); Statement st = conn.createStatement()) {
      st.execute(sql);
    }
  }

  private static int queryInt(int port, String sql) throws Exception {
    try (Connection conn = connect(port); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }
}
