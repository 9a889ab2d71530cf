package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.app.ConfigLoader;
import io.streampipeline.app.Endpoints;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LocalCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.sink.SinkVerticle;
import io.streampipeline.window.WindowIds;
import io.streampipeline.window.WindowResult;
import io.streampipeline.window.WindowType;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lane that lost a partition tries to commit it: the compare-and-set on the stored offset refuses, nothing
 * it wrote for that partition remains, and the partitions it still owns commit normally.
 */
class FencingIT {
  private static final int LANE = 7;
  private TestInfra infra;
  private Db db;
  private PipelineConfig config;
  private Vertx vertx;
  private PipelineMetrics metrics;
  private CompletableFuture<CheckpointResult> result;

  @BeforeEach
  void deploySink() throws Exception {
    infra = TestInfra.get();
    String database = infra.createDatabase();
    db = new Db(infra, database);
    config = ConfigLoader.fromMap(infra.pipelineConfig(database, "fencing"));
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx);
    metrics = new PipelineMetrics(new SimpleMeterRegistry());
    result = new CompletableFuture<>();
    vertx.eventBus().<CheckpointResult>consumer(Addresses.laneIngest(LANE), m -> result.complete(m.body()));
    Endpoints endpoints = new Endpoints(infra.bootstrapServers, infra.pgHost, infra.pgPort, database, infra.pgUser,
        infra.pgPassword);
    vertx.deployVerticle(new SinkVerticle(LANE, config, endpoints, metrics)).toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Another owner has moved partition 0 to offset 100 since this lane read it; partition 1 is still ours at 40.
    db.execute("INSERT INTO pipeline_checkpoints (consumer_group, topic, partition, next_offset, checkpoint_id) "
        + "VALUES ('" + config.consumerGroup() + "', '" + config.clickstreamTopic() + "', 0, 100, 1), ('"
        + config.consumerGroup() + "', '" + config.clickstreamTopic() + "', 1, 40, 1)");
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static EnrichedEvent event(int partition, long offset) {
    ClickstreamEvent e = new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PAGE_VIEW,
        1_790_000_000_000L + offset, "user_" + partition, UUID.randomUUID().toString(), null, null, null, null, null,
        "https://shop.example/", null, "Mozilla/5.0", "192.0.2.7", "NL", null);
    return EventRules.enrich(e, partition, offset);
  }

  private static WindowResult window(int partition) {
    long start = 1_790_000_040_000L;
    return new WindowResult(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, start, partition),
        WindowType.EVENTS_PER_MINUTE, start, start + 60_000, partition, null, null, 10, 1, 10, 0, 0, 0, List.of(),
        List.of(), new String[0], new long[0], new String[0], new long[0], System.currentTimeMillis());
  }

  private CheckpointResult commit(Map<Integer, OffsetRange> offsets) throws Exception {
    List<EnrichedEvent> events = new ArrayList<>();
    Map<Integer, byte[]> snapshots = new HashMap<>();
    List<WindowResult> windows = new ArrayList<>();
    Map<Integer, byte[]> restored = new HashMap<>();
    offsets.forEach((p, range) -> {
      for (long o = range.previous(); o < range.next(); o++) {
        events.add(event(p, o));
      }
      snapshots.put(p, new byte[] {1, 2, 3, (byte) p.intValue()});
      windows.add(window(p));
      restored.put(p, null);
    });
    vertx.eventBus().send(Addresses.laneSink(LANE), new PartitionsRestored(restored));
    vertx.eventBus().send(Addresses.laneSink(LANE), new EventBatch(events, List.of()));
    vertx.eventBus().send(Addresses.laneSink(LANE), new Checkpoint(5, offsets, snapshots, windows));
    return result.get(60, TimeUnit.SECONDS);
  }

  private long stored(int partition) {
    return db.count("SELECT count(*) FROM clickstream_events WHERE user_id = 'user_" + partition + "'");
  }

  @Test
  void theFencedPartitionIsRefusedAndTheOwnedOneCommits() throws Exception {
    CheckpointResult outcome = commit(Map.of(0, new OffsetRange(50, 60), 1, new OffsetRange(40, 50)));
    assertEquals(Set.of(0), outcome.fenced(), "partition 0 refused");
    assertEquals(0, stored(0), "nothing of the fenced partition remains");
    assertEquals(10, stored(1), "the owned partition committed");
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics WHERE source_partition = 0"));
    assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE source_partition = 1"));
    Map<String, Object> p0 = db.rows("SELECT next_offset, state_snapshot FROM pipeline_checkpoints "
        + "WHERE partition = 0").get(0);
    assertEquals(100L, p0.get("next_offset"), "the new owner's offset stands");
    assertNull(p0.get("state_snapshot"), "the old owner's state was not written");
    assertEquals(50L, db.rows("SELECT next_offset FROM pipeline_checkpoints WHERE partition = 1").get(0)
        .get("next_offset"));
  }

  @Test
  void aCheckpointOfOnlyFencedPartitionsLeavesNothing() throws Exception {
    CheckpointResult outcome = commit(Map.of(0, new OffsetRange(60, 75)));
    assertEquals(Set.of(0), outcome.fenced());
    assertEquals(0, db.count("SELECT count(*) FROM clickstream_events"));
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics"));
    assertEquals(100L, db.rows("SELECT next_offset FROM pipeline_checkpoints WHERE partition = 0").get(0)
        .get("next_offset"));
  }
}
