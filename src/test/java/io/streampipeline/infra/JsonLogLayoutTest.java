package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class JsonLogLayoutTest {
  private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();

  private LoggingEvent event(String message, Throwable thrown, Object... args) {
    LoggingEvent event = new LoggingEvent("x", context.getLogger("io.streampipeline.sink.SinkVerticle"), Level.WARN,
        message, thrown, args);
    event.setTimeStamp(1_764_489_600_123L);
    return event;
  }

  @Test
  void oneJsonObjectPerLineWithIsoTimestampLevelLoggerAndMessage() {
    LoggingEvent event = event("checkpoint {} failed: \"{}\"", null, 7, "line\nbreak");
    event.setMDCPropertyMap(Map.of("partition", "3"));
    String line = new JsonLogLayout().doLayout(event);
    assertTrue(line.endsWith("\n"));
    assertFalse(line.strip().contains("\n"), "one line: " + line);
    JsonObject json = new JsonObject(line);
    assertEquals("2025-11-30T08:00:00.123Z", json.getString("timestamp"));
    assertEquals("WARN", json.getString("level"));
    assertEquals("io.streampipeline.sink.SinkVerticle", json.getString("logger"));
    assertEquals("checkpoint 7 failed: \"line\nbreak\"", json.getString("message"));
    assertEquals("3", json.getString("partition"));
    assertFalse(json.containsKey("lane"), "not logged from a lane");
  }

  @Test
  void carriesTheStackTrace() {
    JsonObject json = new JsonObject(new JsonLogLayout().doLayout(event("boom", new IllegalStateException("bad"))));
    assertTrue(json.getString("exception").startsWith("java.lang.IllegalStateException: bad"), json.encode());
  }

  /** Lanes are instances of one deployment (setInstances): each names its lane in its own context. */
  @Test
  void namesTheLaneOfEachInstanceThatLogs(Vertx vertx) throws Exception {
    Map<Integer, String> lines = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    vertx.deployVerticle(() -> {
      int lane = next.getAndIncrement();
      return new VerticleBase() {
        @Override
        public Future<?> start() {
          context.put(JsonLogLayout.LANE, lane);
          lines.put(lane, new JsonLogLayout().doLayout(event("lane " + lane + ": started", null)));
          return Future.succeededFuture();
        }
      };
    }, new DeploymentOptions().setInstances(3)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int lane = 0; lane < 3; lane++) {
      assertEquals(lane, new JsonObject(lines.get(lane)).getInteger("lane"));
    }
  }
}
