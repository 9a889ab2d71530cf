package io.streampipeline.alt.ks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.window.AggregatedCodec;
import io.streampipeline.window.WindowIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window logic on Kafka Streams' own test driver: the pipeline's rules in front (a garbage record and a bot
 * are not counted), tumbling windows and sessions emitted once when stream time passes their end plus grace, the
 * rows' figures and ids as the pipeline's, and a late event left out.
 */
class JobTopologyTest {
  /** A multiple of 300 s, so the minute and five-minute windows both start here. */
  private static final long T0 = 1_700_000_100_000L;
  private static final ClickstreamCodec CODEC = new ClickstreamCodec();

  @TempDir
  Path dir;

  @Test
  void windowsCloseOnStreamTimeWithThePipelinesFigures() {
    JobSettings s = new JobSettings("unused:9092", "events", 0, "ks-test", "aggregated", 1, dir,
        null, dir.resolve("report.json"), Duration.ofSeconds(60), Duration.ofSeconds(300),
        Duration.ofSeconds(1800), Duration.ofSeconds(10));
    JobCounters counters = new JobCounters(null);
    var topology = JobTopology.build(s, new PipelineMetrics(new SimpleMeterRegistry()), counters, () -> 42L);
    var props = KafkaStreamsJob.streamsProperties(s);
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(T0))) {
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic("aggregated", new StringDeserializer(), new ByteArrayDeserializer());

      send(in, event("e1", EventType.PAGE_VIEW, T0, "u1", "s1", "p1", "shoes", null, null, "Mozilla/5.0"));
      send(in, event("e2", EventType.ADD_TO_CART, T0 + 10_000, "u1", "s1", "p1", "shoes", null, null, "Mozilla/5.0"));
      send(in, event("e3", EventType.PURCHASE, T0 + 20_000, "u1", "s1", "p2", "hats", 500L, 2, "Mozilla/5.0"));
      send(in, event("e4", EventType.PAGE_VIEW, T0 + 30_000, "u2", "s2", null, null, null, null, "Mozilla/5.0"));
      in.pipeInput("garbage".getBytes(StandardCharsets.UTF_8), new byte[] {0x01, 0x02}, Instant.ofEpochMilli(T0));
      send(in, event("e5", EventType.PAGE_VIEW, T0 + 35_000, "u9", "s9", "p3", "toys", null, null, "Googlebot/2.1"));
      assertTrue(out.isEmpty(), "nothing is emitted before stream time passes a window's end plus grace");

      // Stream time T0+400 s passes [T0, T0+60 s) and [T0, T0+300 s) plus 10 s grace.
      driver.advanceWallClockTime(Duration.ofSeconds(5));
      send(in, event("e6", EventType.PAGE_VIEW, T0 + 400_000, "u3", "s3", null, null, null, null, "Mozilla/5.0"));
      // Late for both tumbling windows (dropped there), but u1's session is still open (it closes at its last
      // event + 1800 s + grace), so Kafka Streams counts it in the session. The pipeline leaves an event late for a
      // tumbling window out of every window: the one difference the README lists for lateness.
      driver.advanceWallClockTime(Duration.ofSeconds(5));
      send(in, event("e7", EventType.PAGE_VIEW, T0 + 5_000, "u1", "s1", "p9", "late", null, null, "Mozilla/5.0"));
      // Stream time T0+2000 s closes the sessions of u1 and u2 (last event + 1800 s + 10 s grace).
      driver.advanceWallClockTime(Duration.ofSeconds(5));
      send(in, event("e8", EventType.PAGE_VIEW, T0 + 2_000_000, "u3", "s3", null, null, null, null, "Mozilla/5.0"));

      AggregatedCodec codec = new AggregatedCodec();
      List<WindowResult> rows = out.readValuesToList().stream().map(v -> {
        try {
          return codec.decode(v);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).toList();
      Map<String, WindowResult> byId = rows.stream().collect(Collectors.toMap(WindowResult::windowId, Function.identity()));
      assertEquals(rows.size(), byId.size(), "each window is emitted once");

      WindowResult minute = byId.get(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 0));
      assertEquals(T0 + 60_000, minute.windowEnd());
      assertEquals(4, minute.eventCount());
      assertEquals(2, minute.uniqueUsers());
      assertEquals(2, minute.pageViews());
      assertEquals(1, minute.addToCarts());
      assertEquals(1, minute.purchases());
      assertEquals(1000, minute.totalRevenueCents());
      assertEquals(List.of("p1", "p2"), minute.topProducts());
      assertEquals(List.of("shoes", "hats"), minute.topCategories());
      assertEquals(0, minute.partition());
      assertEquals(42L, minute.emittedAt());

      WindowResult fiveMinutes = byId.get(WindowIds.tumbling(WindowType.REVENUE_PER_5MIN, T0, 0));
      assertEquals(4, fiveMinutes.eventCount());
      assertEquals(1000, fiveMinutes.totalRevenueCents());

      WindowResult session = byId.get(WindowIds.session(T0, 0, "u1", "s1"));
      assertEquals(WindowType.SESSION_SUMMARY, session.type());
      assertEquals(T0 + 20_000, session.windowEnd(), "a session ends at its last event");
      assertEquals(4, session.eventCount(), "the late e7 joined the still-open session");
      assertEquals(1, session.uniqueUsers());
      assertEquals("u1", session.userId());
      assertEquals("s1", session.sessionId());
      assertEquals(List.of("p1", "p2", "p9"), session.topProducts());

      assertTrue(byId.containsKey(WindowIds.session(T0 + 30_000, 0, "u2", "s2")));
      assertTrue(byId.containsKey(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0 + 360_000, 0)));
      assertTrue(byId.containsKey(WindowIds.tumbling(WindowType.REVENUE_PER_5MIN, T0 + 300_000, 0)));
      assertEquals(6, rows.size(), "u3's session and its last windows are still open");

      RecordCounts counts = RecordCounts.sum(driver.getKeyValueStore(RecordCounts.STORE));
      assertEquals(new RecordCounts(9, 7, 1), counts, "records read, valid events, dead letters");
      assertEquals(6, counters.windowsEmitted.get());
    }
  }

  private static void send(TestInputTopic<byte[], byte[]> in, ClickstreamEvent e) {
    // The Kafka record is written a second after the event happened, as by a producer.
    in.pipeInput(e.userId().getBytes(StandardCharsets.UTF_8), CODEC.encode(e),
        Instant.ofEpochMilli(e.timestamp() + 1000));
  }

  private static ClickstreamEvent event(String id, EventType type, long ts, String user, String session,
      String product, String category, Long price, Integer quantity, String agent) {
    return new ClickstreamEvent(id, type, ts, user, session, product, category, price, quantity, null,
        "https://shop.example/p", null, agent, "10.0.0.1", "us", null);
  }
}
