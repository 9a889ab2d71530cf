package io.streampipeline.it.support;

import io.streampipeline.event.ClickstreamEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/node/registry-producer: Confluent's Node client (@confluentinc/schemaregistry) registers a
 * schema and serializes events, kafkajs sends them. Its npm dependencies are installed from the lock file
 * ({@code npm ci}) the first time. Without node and npm the test is skipped, under CI it fails.
 */
public final class NodeRegistryProducer {
  private static final Path DIR = Path.of("src/test/node/registry-producer");

  private NodeRegistryProducer() {
  }

  /** Skips (or under CI fails) the calling test when Node.js or npm is missing; installs the packages once. */
  public static synchronized void ensureInstalled() {
    if (!runs("node", "--version") || !runs("npm", "--version")) {
      RequiredTool.missing("Node.js 18+ and npm are needed for the Schema Registry interop test "
          + "(Debian: apt-get install nodejs npm)");
    }
    if (!Files.isDirectory(DIR.resolve("node_modules/@confluentinc/schemaregistry"))) {
      int exit = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 600).exit;
      if (exit != 0) {
        throw new IllegalStateException("npm ci in " + DIR + " failed with exit code " + exit);
      }
    }
  }

  /** Sends the events serialized with {@code schema}; returns the schema id the registry gave it. */
  public static int produce(String bootstrapServers, String topic, String registryUrl, String userInfo, String schema,
      List<JsonObject> events) {
    try {
      Path schemaFile = Files.createTempFile("registry-producer-schema", ".avsc");
      Path eventsFile = Files.createTempFile("registry-producer-events", ".jsonl");
      Files.writeString(schemaFile, schema);
      StringBuilder lines = new StringBuilder();
      events.forEach(e -> lines.append(e.encode()).append('\n'));
      Files.writeString(eventsFile, lines, StandardCharsets.UTF_8);
      Result result = run(List.of("node", "produce.mjs"), Map.of("BOOTSTRAP", bootstrapServers, "TOPIC", topic,
          "REGISTRY_URL", registryUrl, "REGISTRY_USER_INFO", userInfo, "SCHEMA_FILE", schemaFile.toString(),
          "EVENTS_FILE", eventsFile.toString()), 300);
      if (result.exit != 0) {
        throw new IllegalStateException("the Node registry producer failed (exit " + result.exit + "):\n"
            + result.output);
      }
      String last = result.output.strip().lines().reduce((a, b) -> b).orElse("{}");
      JsonObject summary = new JsonObject(last);
      if (summary.getInteger("sent", -1) != events.size()) {
        throw new IllegalStateException("the Node registry producer sent " + summary + ":\n" + result.output);
      }
      return summary.getInteger("id");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The event as the producer's JSON: Avro field names, optional fields null. */
  public static JsonObject json(ClickstreamEvent e) {
    return new JsonObject().put("event_id", e.eventId()).put("event_type", e.eventType().wireName())
        .put("timestamp", e.timestamp()).put("user_id", e.userId()).put("session_id", e.sessionId())
        .put("product_id", e.productId()).put("product_category", e.productCategory())
        .put("price_cents", e.priceCents()).put("quantity", e.quantity()).put("search_query", e.searchQuery())
        .put("page_url", e.pageUrl()).put("referrer", e.referrer()).put("user_agent", e.userAgent())
        .put("ip_address", e.ipAddress()).put("geo_country", e.geoCountry()).put("geo_city", e.geoCity());
  }

  private record Result(int exit, String output) {
  }

  private static boolean runs(String... command) {
    try {
      return run(List.of(command), Map.of(), 30).exit == 0;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) {
    try {
      Path output = Files.createTempFile("node-run", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
            + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
