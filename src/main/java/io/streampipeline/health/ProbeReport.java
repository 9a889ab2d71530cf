package io.streampipeline.health;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of /health/live or /health/ready: UP (HTTP 200) when every counted check is "UP...", else DOWN
 * (503). {@code info} holds checks that are shown but not counted (PostgreSQL for readiness, see
 * {@link Readiness}).
 */
public record ProbeReport(Map<String, String> checks, Map<String, String> info) {

  public ProbeReport {
    checks = Map.copyOf(new LinkedHashMap<>(checks));
    info = Map.copyOf(new LinkedHashMap<>(info));
  }

  public static ProbeReport of(Map<String, String> checks) {
    return new ProbeReport(checks, Map.of());
  }

  public boolean up() {
    return checks.values().stream().allMatch(v -> v.startsWith("UP"));
  }

  public int httpStatus() {
    return up() ? 200 : 503;
  }

  public JsonObject json() {
    JsonObject json = new JsonObject().put("status", up() ? "UP" : "DOWN")
        .put("checks", new JsonObject(new java.util.TreeMap<>(checks)));
    if (!info.isEmpty()) {
      json.put("info", new JsonObject(new java.util.TreeMap<>(info)));
    }
    return json;
  }
}
