package io.streampipeline.it.support;

import io.streampipeline.app.Application;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The two kinds of data every fault test runs with, always produced into a pipeline that was started first:
 * event times near the wall clock (live producers), and event times hours behind it (a backfill, a replay from
 * another system, devices that were offline). A rule that holds for one kind only (a quiet partition jumping
 * to the wall clock) fails the other, so a test that uses one kind alone proves half of what it claims.
 */
public enum EventTimes {
  NEAR_WALL_CLOCK,
  HOURS_BEHIND;

  private static final long FOUR_HOURS_MS = 4 * 3_600_000L;
  /** How much faster than the wall clock a steady backfill's event time runs. */
  private static final long BACKFILL_SPEED = 20;

  /**
   * Window settings with which the last windows and sessions close within about 30 s of quiet after the data
   * ends, whichever kind it is: short windows, a short session timeout and little lateness.
   */
  public static final Map<String, String> QUICK_CLOSE = Map.of("WINDOW_TUMBLING_WINDOW_SECONDS", "10",
      "WINDOW_REVENUE_WINDOW_SECONDS", "30", "WINDOW_SESSION_TIMEOUT_SECONDS", "10",
      "WINDOW_ALLOWED_LATENESS_SECONDS", "2");

  /**
   * The event time of a message a steady producer that started at {@code startedMs} sends at {@code nowMs}: the
   * wall clock, or, hours behind, from four hours ago at {@value #BACKFILL_SPEED} times the wall clock's pace.
   */
  public long eventTime(long startedMs, long nowMs) {
    return this == NEAR_WALL_CLOCK ? nowMs : startedMs - FOUR_HOURS_MS + (nowMs - startedMs) * BACKFILL_SPEED;
  }

  /**
   * Produces {@code count} generated messages in chunks of {@code chunk}, {@code pauseMs} apart, on a thread of
   * its own. Near the wall clock, each chunk is stamped up to the clock when it is made, 1 ms apart; hours
   * behind, the whole set is {@code stepMs} apart from four hours ago, in order.
   */
  public Feed produce(String bootstrapServers, String topic, long seed, int count, double errorRate, long stepMs,
      int chunk, long pauseMs) {
    return produce(bootstrapServers, topic, seed, 0, count, errorRate, stepMs, chunk, pauseMs);
  }

  /**
   * The same, for the part of a set from message {@code fromIndex} on (hours behind, it continues where the
   * part before it stopped); give each part a seed of its own.
   */
  public Feed produce(String bootstrapServers, String topic, long seed, int fromIndex, int count, double errorRate,
      long stepMs, int chunk, long pauseMs) {
    EventFactory factory = new EventFactory(seed, 300, 200, 1_800_000, errorRate);
    // On a 5-minute boundary, so a set whose span is a multiple of 5 minutes ends where its last windows end.
    long behindStart = (System.currentTimeMillis() - FOUR_HOURS_MS) / 300_000 * 300_000;
    List<GeneratedMessage> sent = Collections.synchronizedList(new ArrayList<>(count));
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
      for (int from = 0; from < count; from += chunk) {
        int size = Math.min(chunk, count - from);
        // Near the wall clock a chunk ends at the clock, so event time never runs ahead of it however fast the
        // chunks go; chunks sent closer together than their spread overlap by less than the allowed lateness.
        long first = this == NEAR_WALL_CLOCK ? System.currentTimeMillis() - size
            : behindStart + (fromIndex + from) * stepMs;
        long step = this == NEAR_WALL_CLOCK ? 1 : stepMs;
        List<GeneratedMessage> messages = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          messages.add(factory.next(first + i * step));
        }
        TestData.send(bootstrapServers, topic, messages);
        sent.addAll(messages);
        Await.sleep(pauseMs);
      }
    });
    return new Feed(sent, done);
  }

  /**
   * Waits until a pipeline process answers its readiness probe (its lanes read), then three times
   * WINDOW_IDLE_SECONDS, as a pipeline started well before its producers has waited.
   */
  public static void awaitReadyAndWaiting(Map<String, String> env) {
    String url = "http://127.0.0.1:" + env.get("METRICS_PORT") + "/health/ready";
    Await.until(Duration.ofSeconds(90), "the pipeline process ready", () -> {
      try {
        return Http.get(url).status();
      } catch (RuntimeException notYet) {
        return 0;
      }
    }, status -> status == 200);
    Await.sleep(3 * (long) (Double.parseDouble(env.get("WINDOW_IDLE_SECONDS")) * 1000));
  }

  /** The same for a pipeline in this JVM: all six partitions read, then three times WINDOW_IDLE_SECONDS. */
  public static void awaitReadingAndWaiting(Application app, PipelineConfig config) {
    Await.until(Duration.ofSeconds(60), "all six partitions read by the lanes",
        () -> app.metrics().partitionsWithKnownLag(), n -> n == 6);
    Await.sleep(3 * config.windows().idleMs());
  }

  /** What a {@link #produce} call has sent so far, and when it is done. */
  public record Feed(List<GeneratedMessage> sent, CompletableFuture<Void> done) {
    /** Waits until every message is acknowledged by the broker; returns them in order. */
    public List<GeneratedMessage> all() {
      done.join();
      synchronized (sent) {
        return List.copyOf(sent);
      }
    }
  }
}
