package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.ItPipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.CheckpointResult;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.RestoredPartition;
import io.streampipeline.bus.LocalCodec;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.ingest.EventRules;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.sink.SinkVerticle;
import io.streampipeline.window.WindowIds;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's compare-and-set on owner epoch and offset, against the real database: a lane that lost a partition
 * cannot write it (not even an idle checkpoint whose offset does not move), nothing it wrote for that partition
 * remains, the partitions it still owns commit, and after a refusal nothing more of the partition is written
 * until it is restored again; a refusal that comes after the restore leaves the new epoch's rows alone.
 */
class FencingIT {
  private static final int LANE = 7;
  private ItPipeline it;
  private Db db;
  private PipelineConfig config;
  private Vertx vertx;
  private PipelineMetrics metrics;
  private final LinkedBlockingQueue<CheckpointResult> results = new LinkedBlockingQueue<>();

  @BeforeEach
  void deploySink() throws Exception {
    it = ItPipeline.create("fencing");
    db = it.db();
    config = it.config();
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx);
    metrics = new PipelineMetrics(new SimpleMeterRegistry());
    vertx.eventBus().<CheckpointResult>consumer(Addresses.laneIngest(LANE), m -> results.add(m.body()));
    vertx.deployVerticle(new SinkVerticle(LANE, config, it.endpoints(), metrics)).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** The row a claim left: the partition's owner epoch and stored position. */
  private void stored(int partition, long ownerEpoch, long nextOffset) {
    db.execute("INSERT INTO pipeline_checkpoints (consumer_group, topic, partition, next_offset, checkpoint_id, "
        + "owner_epoch) VALUES ('" + config.kafka().consumerGroup() + "', '" + config.kafka().clickstreamTopic() + "', " + partition
        + ", " + nextOffset + ", 1, " + ownerEpoch + ")");
  }

  private static EnrichedEvent event(int partition, long offset) {
    ClickstreamEvent e = new ClickstreamEvent("event-" + partition + "-" + offset, EventType.PAGE_VIEW,
        1_790_000_000_000L + offset, "user_" + partition, UUID.randomUUID().toString(), null, null, null, null, null,
        "https://shop.example/", null, "Mozilla/5.0", "192.0.2.7", "NL", null);
    return EventRules.enrich(e, partition, offset);
  }

  private static List<EnrichedEvent> events(int partition, long from, long to) {
    List<EnrichedEvent> events = new ArrayList<>();
    for (long o = from; o < to; o++) {
      events.add(event(partition, o));
    }
    return events;
  }

  private static WindowResult window(int partition) {
    long start = 1_790_000_040_000L;
    return new WindowResult(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, start, partition),
        WindowType.EVENTS_PER_MINUTE, start, start + 60_000, partition, null, null, 10, 1, 10, 0, 0, 0, List.of(),
        List.of(), new String[0], new long[0], new String[0], new long[0], System.currentTimeMillis());
  }

  private void send(Object message) {
    vertx.eventBus().send(Addresses.laneSink(LANE), message);
  }

  private void restored(long ownerEpoch, int... partitions) {
    Map<Integer, RestoredPartition> restored = new HashMap<>();
    for (int p : partitions) {
      restored.put(p, new RestoredPartition(ownerEpoch, null));
    }
    send(new PartitionsRestored(restored));
  }

  /** A checkpoint of the events of each range, with a snapshot and a closed window per partition. */
  private void checkpoint(long id, Map<Integer, OffsetRange> offsets) {
    Map<Integer, StateWrite> snapshots = new HashMap<>();
    List<WindowResult> windows = new ArrayList<>();
    offsets.forEach((p, range) -> {
      snapshots.put(p, StateWrite.full(new byte[] {1, 2, 3, (byte) p.intValue()}));
      windows.add(window(p));
    });
    send(new Checkpoint(id, offsets, snapshots, windows));
  }

  private CheckpointResult result() throws InterruptedException {
    CheckpointResult result = results.poll(60, TimeUnit.SECONDS);
    assertNotNull(result, "the sink answered");
    return result;
  }

  private long storedEvents(int partition) {
    return db.count("SELECT count(*) FROM clickstream_events WHERE user_id = 'user_" + partition + "'");
  }

  private Object checkpointColumn(int partition, String column) {
    return db.rows("SELECT " + column + " FROM pipeline_checkpoints WHERE partition = " + partition).get(0)
        .get(column);
  }

  @Test
  void theFencedPartitionIsRefusedAndTheOwnedOneCommits() throws Exception {
    stored(0, 2, 100);
    stored(1, 1, 40);
    restored(1, 0, 1);
    send(new EventBatch(concat(events(0, 50, 60), events(1, 40, 50)), List.of()));
    checkpoint(5, Map.of(0, new OffsetRange(1, 50, 60), 1, new OffsetRange(1, 40, 50)));
    CheckpointResult outcome = result();
    assertEquals(Set.of(0), outcome.fenced(), "partition 0 refused");
    assertEquals(Set.of(1), outcome.committed());
    assertEquals(0, storedEvents(0), "nothing of the fenced partition remains");
    assertEquals(10, storedEvents(1), "the owned partition committed");
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics WHERE source_partition = 0"));
    assertEquals(1, db.count("SELECT count(*) FROM aggregated_metrics WHERE source_partition = 1"));
    assertEquals(100L, checkpointColumn(0, "next_offset"), "the new owner's offset stands");
    assertNull(checkpointColumn(0, "state_snapshot"), "the old owner's state was not written");
    assertEquals(50L, checkpointColumn(1, "next_offset"));
  }

  @Test
  void aCheckpointOfOnlyFencedPartitionsLeavesNothing() throws Exception {
    stored(0, 2, 100);
    restored(1, 0);
    send(new EventBatch(events(0, 60, 75), List.of()));
    checkpoint(5, Map.of(0, new OffsetRange(1, 60, 75)));
    assertEquals(Set.of(0), result().fenced());
    assertEquals(0, db.count("SELECT count(*) FROM clickstream_events"));
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics"));
    assertEquals(100L, checkpointColumn(0, "next_offset"));
  }

  /**
   * The old owner read to the same log end as the new one, or its idle checkpoint repeats the stored offset:
   * the offsets agree, but the epoch does not, so its closed windows and state are not written over the new
   * owner's.
   */
  @Test
  void anIdleCheckpointOfAStaleOwnerIsRefusedAlthoughItsOffsetMatches() throws Exception {
    stored(0, 2, 100);
    restored(1, 0);
    checkpoint(5, Map.of(0, new OffsetRange(1, 100, 100)));
    assertEquals(Set.of(0), result().fenced());
    assertNull(checkpointColumn(0, "state_snapshot"), "the stale owner's state was not written");
    assertEquals(0, db.count("SELECT count(*) FROM aggregated_metrics"), "nor its windows");
  }

  /**
   * A COMMIT whose reply was lost: checkpoint A (40 to 50) is in the database, but the sink retries it, and the
   * compare-and-set refuses. Checkpoint B's events came before the refusal, its barrier after: B must not move
   * the offset past events that were dropped with A, and nothing of the partition is written until a restore.
   */
  @Test
  void afterARefusalNothingOfThePartitionIsWrittenUntilItIsRestored() throws Exception {
    stored(0, 1, 50);
    restored(1, 0);
    send(new EventBatch(events(0, 40, 50), List.of()));
    db.execute("INSERT INTO clickstream_events (event_id, event_type, event_timestamp_ms, user_id, session_id, "
        + "page_url, user_agent, ip_address, geo_country, event_hour, is_mobile) SELECT 'event-0-' || o, "
        + "'page_view', 1790000000000 + o, 'user_0', 's', 'https://shop.example/', 'Mozilla/5.0', '192.0.2.7', "
        + "'NL', 0, false FROM generate_series(40, 49) AS o");
    checkpoint(1, Map.of(0, new OffsetRange(1, 40, 50)));
    send(new EventBatch(events(0, 50, 60), List.of()));
    assertEquals(Set.of(0), result().fenced(), "the retried checkpoint A is refused");

    checkpoint(2, Map.of(0, new OffsetRange(1, 50, 60)));
    CheckpointResult b = result();
    assertEquals(Set.of(0), b.fenced(), "B, sent before ingest heard of the refusal, is refused too");
    assertEquals(50L, checkpointColumn(0, "next_offset"), "the offset did not move past unwritten events");
    assertEquals(10, storedEvents(0));

    // The lane restores the partition under a new epoch and reads 50 to 60 again: now they are written.
    db.execute("UPDATE pipeline_checkpoints SET owner_epoch = 2 WHERE partition = 0");
    restored(2, 0);
    send(new EventBatch(events(0, 50, 60), List.of()));
    checkpoint(3, Map.of(0, new OffsetRange(2, 50, 60)));
    assertEquals(Set.of(0), result().committed());
    assertEquals(60L, checkpointColumn(0, "next_offset"));
    assertEquals(20, storedEvents(0));
  }

  /**
   * An epoch-1 checkpoint of partition 0 is in flight while the lane restores the partition as epoch 2 (the claim
   * holds the row, so the old checkpoint's compare-and-set waits for it) and reads 50 to 60 again. The old
   * checkpoint is refused once the claim commits; what epoch 2 buffered meanwhile belongs to epoch 2 and is written
   * by its next checkpoint, which moves the offset past it.
   */
  @Test
  void aRefusalOfTheOldEpochKeepsWhatTheNewEpochHasBuffered() throws Exception {
    stored(0, 1, 50);
    restored(1, 0);
    Set<Object> delivered = ConcurrentHashMap.newKeySet();
    vertx.eventBus().addInboundInterceptor(delivery -> {
      delivery.next();
      delivered.add(delivery.body());
    });
    try (Connection claim = it.infra().connect(it.database()); Statement st = claim.createStatement()) {
      claim.setAutoCommit(false);
      st.executeQuery("SELECT owner_epoch FROM pipeline_checkpoints WHERE partition = 0 FOR UPDATE").close();
      send(reRead(0, 50, 60));
      checkpoint(1, Map.of(0, new OffsetRange(1, 50, 60)));
      Await.until(Duration.ofSeconds(30), "the epoch-1 checkpoint waiting for the row lock",
          () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
              + "AND wait_event_type = 'Lock'"), n -> n == 1);

      st.executeUpdate("UPDATE pipeline_checkpoints SET owner_epoch = owner_epoch + 1 WHERE partition = 0");
      restored(2, 0);
      EventBatch epochTwo = reRead(0, 50, 60);
      send(epochTwo);
      Await.until(Duration.ofSeconds(30), "the sink buffering epoch 2's events", () -> delivered.contains(epochTwo),
          seen -> seen);
      claim.commit();
    }
    assertEquals(Set.of(0), result().fenced(), "the epoch-1 checkpoint is refused");

    checkpoint(2, Map.of(0, new OffsetRange(2, 50, 60)));
    assertEquals(Set.of(0), result().committed());
    assertEquals(60L, checkpointColumn(0, "next_offset"));
    assertEquals(9, storedEvents(0), "epoch 2's events are stored");
    assertEquals(List.of(Map.of("source_offset", 53L)), db.rows("SELECT source_offset FROM dead_letter_events "
        + "WHERE source_partition = 0"), "and its dead letter");
  }

  /** The records from {@code from} to {@code to} as read: offset from + 3 is a dead letter, the others events. */
  private EventBatch reRead(int partition, long from, long to) {
    List<EnrichedEvent> events = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (long o = from; o < to; o++) {
      if (o == from + 3) {
        deadLetters.add(new DeadLetter(config.kafka().clickstreamTopic(), partition, o, "not JSON", new byte[] {'{'},
            System.currentTimeMillis()));
      } else {
        events.add(event(partition, o));
      }
    }
    return new EventBatch(events, deadLetters);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
