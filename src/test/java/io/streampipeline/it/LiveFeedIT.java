package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.RequiredTool;
import io.streampipeline.it.support.TestData;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.app.Application;
import io.streampipeline.bus.Addresses;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.infra.Topics;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The live feed over the TCP event-bus bridge, with the shipped examples as real processes: the Node client
 * (and the Python one where python3 exists) receives every closed window, equal to its row in
 * aggregated_metrics; a client that sends or publishes anything, or registers for another address, gets an
 * err frame access_denied and nothing reaches the bus.
 */
class LiveFeedIT {
  private static final String[] FIGURES = {"window_type", "window_start", "window_end", "source_partition",
      "user_id", "session_id", "event_count", "unique_users", "page_views", "add_to_carts", "purchases",
      "total_revenue_cents"};

  @Test
  void theExampleClientsReceiveEveryClosedWindowAndInboundMessagesAreRefused() throws Exception {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    Db db = new Db(infra, database);
    Map<String, String> settings = infra.pipelineConfig(database, "livefeed");
    settings.put("ROLES", "pipeline,dashboard");
    // Small windows, so that all of them close within seconds.
    settings.put("WINDOW_TUMBLING_WINDOW_SECONDS", "1");
    settings.put("WINDOW_REVENUE_WINDOW_SECONDS", "2");
    settings.put("WINDOW_SESSION_TIMEOUT_SECONDS", "2");
    settings.put("WINDOW_ALLOWED_LATENESS_SECONDS", "1");
    PipelineConfig config = ConfigLoader.fromMap(settings);
    Topics.ensure(infra.bootstrapServers, config);
    int port = config.dashboard().liveFeed().tcpPort();

    Application app = new Application(config).start();
    List<Client> clients = new ArrayList<>();
    try {
      clients.add(Client.start("node", "node", "examples/live-windows.mjs", "--port=" + port));
      if (python3Available()) {
        clients.add(Client.start("python", "python3", "examples/live_windows.py", "--port", String.valueOf(port)));
      } else {
        System.out.println("[LiveFeedIT] SKIPPING the Python example: python3 is not on this machine");
      }
      for (Client client : clients) {
        Await.until(Duration.ofSeconds(60), client.name + " registered", client::errors,
            err -> err.contains("listening on " + Addresses.LIVE_WINDOWS));
      }

      // Four seconds of events starting 20 s from now: a quiet partition's watermark follows the wall clock, so
      // events from the past would be late; these are not, and every window closes once the clock passes them.
      long start = System.currentTimeMillis() + 20_000;
      List<GeneratedMessage> messages = TestData.generate(42, 400, 0.0, start, 10);
      TestData.send(infra.bootstrapServers, config.kafka().clickstreamTopic(), messages);
      long valid = messages.stream().filter(m -> m.kind() == GeneratedMessage.Kind.VALID).count();
      // Every window closed: each window type counts every stored event (in order per partition, none late).
      String allClosed = "SELECT count(*) FROM (SELECT window_type FROM aggregated_metrics GROUP BY window_type "
          + "HAVING sum(event_count) = " + valid + ") t";

      for (Client client : clients) {
        Await.until(Duration.ofSeconds(180), client.name + " received every window stored and published",
            () -> {
              Set<String> rows = ids(db.rows("SELECT window_id FROM aggregated_metrics"));
              long unpublished = db.count("SELECT count(*) FROM aggregated_outbox");
              long types = db.count(allClosed);
              return types == 3 && unpublished == 0 && client.windows().keySet().equals(rows) ? "all" :
                  rows.size() + " rows, " + unpublished + " unpublished, " + client.windows().size() + " received";
            }, "all"::equals);
        Map<String, JsonObject> received = client.windows();
        for (Map<String, Object> row : db.rows("SELECT * FROM aggregated_metrics")) {
          JsonObject window = received.get((String) row.get("window_id"));
          assertNotNull(window, row.toString());
          for (String field : FIGURES) {
            Object expected = row.get(field);
            Object actual = window.getValue(field);
            assertEquals(expected == null ? null : expected.toString(), actual == null ? null : actual.toString(),
                client.name + ": " + field + " of " + row.get("window_id"));
          }
        }
        System.out.println("[LiveFeedIT] " + client.name + " example received " + received.size()
            + " closed windows, each equal to its aggregated_metrics row");
      }

      // Inbound: refused, whatever the address.
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        write(out, new JsonObject().put("type", "register").put("address", Addresses.LIVE_WINDOWS));
        write(out, new JsonObject().put("type", "ping"));
        assertEquals("pong", reply(in).getString("type"));
        List<JsonObject> refused = List.of(
            new JsonObject().put("type", "publish").put("address", Addresses.LIVE_WINDOWS)
                .put("body", new JsonObject().put("window_id", "forged")),
            new JsonObject().put("type", "send").put("address", Addresses.OUTBOX_READY).put("body", "x"),
            new JsonObject().put("type", "publish").put("address", Addresses.DASHBOARD_STATS).put("body", "x"),
            new JsonObject().put("type", "send").put("address", Addresses.laneSink(0)).put("body", "x")
                .put("replyAddress", "r1"),
            new JsonObject().put("type", "register").put("address", Addresses.laneSink(0)));
        for (JsonObject frame : refused) {
          write(out, frame);
          JsonObject answer = reply(in);
          assertEquals("err", answer.getString("type"), frame + " -> " + answer);
          assertEquals("access_denied", answer.getString("message"), frame + " -> " + answer);
        }
        write(out, new JsonObject().put("type", "ping"));
        assertEquals("pong", reply(in).getString("type"));
      }
      for (Client client : clients) {
        assertFalse(client.output().contains("forged"), client.name + " got the forged window");
        assertTrue(client.alive(), client.name + " is still connected: " + client.errors());
      }
    } finally {
      for (Client client : clients) {
        client.close();
      }
      app.stop();
    }
  }

  private static Set<String> ids(List<Map<String, Object>> rows) {
    Set<String> ids = new TreeSet<>();
    rows.forEach(r -> ids.add((String) r.get("window_id")));
    return ids;
  }

  /** The bridge's framing: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
  private static void write(DataOutputStream out, JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  private static JsonObject read(DataInputStream in) throws IOException {
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  /** The next frame that is not a message; a message carrying the forged window fails the test. */
  private static JsonObject reply(DataInputStream in) throws IOException {
    while (true) {
      JsonObject frame = read(in);
      if (!"message".equals(frame.getString("type"))) {
        return frame;
      }
      assertFalse(frame.encode().contains("forged"), "a refused publish reached the bus: " + frame);
    }
  }

  private static boolean python3Available() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** An example client run as its own process; stdout is one JSON window per line, stderr its status. */
  private static final class Client implements AutoCloseable {
    final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private Client(String name, Process process, Path stdout, Path stderr) {
      this.name = name;
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    static Client start(String name, String... command) {
      try {
        Path stdout = Files.createTempFile("live-feed-" + name, ".out");
        Path stderr = Files.createTempFile("live-feed-" + name, ".err");
        Process process;
        try {
          process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
              .start();
        } catch (IOException e) {
          return RequiredTool.missing(command[0] + " is needed to run the " + name + " example ("
              + e.getMessage() + ")");
        }
        return new Client(name, process, stdout, stderr);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String output() {
      try {
        return Files.readString(stdout);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String errors() {
      try {
        return Files.readString(stderr);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean alive() {
      return process.isAlive();
    }

    /** The last complete line for each window_id (a window may come again, with the same figures). */
    Map<String, JsonObject> windows() {
      Map<String, JsonObject> windows = new HashMap<>();
      String text = output();
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        return windows;
      }
      for (String line : text.substring(0, end).split("\n")) {
        if (!line.isBlank()) {
          JsonObject window = new JsonObject(line);
          windows.put(window.getString("window_id"), window);
        }
      }
      return windows;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
