package io.streampipeline.window;

import io.streampipeline.bus.Addresses;
import io.streampipeline.bus.LaneMessage;
import io.streampipeline.bus.LaneMessage.Barrier;
import io.streampipeline.bus.LaneMessage.Checkpoint;
import io.streampipeline.bus.LaneMessage.EventBatch;
import io.streampipeline.bus.LaneMessage.IdleAdvance;
import io.streampipeline.bus.LaneMessage.OffsetRange;
import io.streampipeline.bus.LaneMessage.PartitionsRestored;
import io.streampipeline.bus.LaneMessage.PartitionsRevoked;
import io.streampipeline.bus.LaneMessage.RestoredPartition;
import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowResult;
import io.streampipeline.bus.WindowType;
import io.streampipeline.config.IdleRule;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.infra.JsonLogLayout;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's window manager: keeps the event-time windows and sessions of each partition the lane owns
 * ({@link PartitionWindows}), closes what the watermark has passed at each barrier (and on a 1 s tick, for the
 * live figures), and at each barrier adds to the checkpoint the state of the partitions that changed and the
 * windows closed since the last one.
 * Events pass through to the sink unchanged: late ones are stored too, only left out of windows.
 */
public final class WindowVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WindowVerticle.class);
  private static final long TICK_MS = 1000;

  private final int lane;
  private final WindowSettings settings;
  private final IdleRule idleRule;
  private final PipelineMetrics metrics;
  private final Map<Integer, PartitionWindows> partitions = new HashMap<>();
  private final Set<Integer> unreadable = new HashSet<>();
  private final List<WindowResult> closed = new ArrayList<>();
  private final List<WindowResult> justClosed = new ArrayList<>();
  private MessageConsumer<LaneMessage> inbox;
  private long reportedWindows;
  private long reportedSessions;

  public WindowVerticle(int lane, PipelineConfig config, PipelineMetrics metrics) {
    this.lane = lane;
    this.settings = WindowSettings.from(config);
    this.idleRule = config.windows().idleRule();
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    context.put(JsonLogLayout.LANE, lane);
    inbox = vertx.eventBus().consumer(Addresses.laneWindow(lane), msg -> onMessage(msg.body()));
    vertx.setPeriodic(TICK_MS, id -> closeReady());
    return inbox.completion();
  }

  private void onMessage(LaneMessage message) {
    if (message instanceof EventBatch batch) {
      EventBatch readable = withoutUnreadable(batch);
      add(readable.events());
      forward(readable);
    } else if (message instanceof Barrier barrier) {
      forward(checkpoint(barrier));
    } else if (message instanceof PartitionsRestored restored) {
      restored.partitions().forEach(this::restore);
      forward(restored);
    } else if (message instanceof PartitionsRevoked revoked) {
      revoked.partitions().forEach(this::drop);
      forward(revoked);
    } else if (message instanceof IdleAdvance idle) {
      PartitionWindows state = partitions.get(idle.partition());
      if (state != null) {
        state.advanceEventTime(idleRule.eventTimeReached(state.maxTimestamp(), idle.wallClockMs(), idle.quietMs()));
      }
    }
  }

  private void add(List<EnrichedEvent> events) {
    for (EnrichedEvent event : events) {
      PartitionWindows state = partitions.get(event.partition());
      if (state == null) {
        continue;
      }
      if (!state.add(event)) {
        metrics.late();
      }
    }
  }

  private Checkpoint checkpoint(Barrier barrier) {
    Map<Integer, StateWrite> states = new HashMap<>();
    List<WindowResult> windows = new ArrayList<>();
    Map<Integer, OffsetRange> offsets = barrier.offsets();
    if (!unreadable.isEmpty()) {
      offsets = new HashMap<>(offsets);
      offsets.keySet().removeAll(unreadable);
    }
    for (int p : offsets.keySet()) {
      PartitionWindows state = partitions.get(p);
      if (state == null) {
        continue;
      }
      // What the watermark has passed closes here, not only on the timer: a checkpoint's windows and state
      // then depend on the records before the barrier alone, so a replay writes the same.
      collectClosed(p, state, System.currentTimeMillis());
      // The state knows what changed since its last write (not a set kept here, which could miss a change:
      // a delta must carry everything since the previous one). A write handed to the sink here must be stored
      // before any later one of the partition, or the partition restored from PostgreSQL: the sink drops a
      // partition's writes only after a refusal or a revocation, and both end in a restore or a drop here.
      StateWrite write = state.checkpointState();
      if (write != null) {
        states.put(p, write);
      }
    }
    Map<Integer, OffsetRange> committed = offsets;
    closed.removeIf(w -> committed.containsKey(w.partition()) && windows.add(w));
    return new Checkpoint(barrier.id(), offsets, states, windows);
  }

  /**
   * A partition whose stored state this build cannot read is not processed at all (its events are neither
   * counted nor written, its offset does not move): wrong figures or a silent gap would be worse than a partition
   * that stops, logs why and shows as growing lag.
   */
  private EventBatch withoutUnreadable(EventBatch batch) {
    if (unreadable.isEmpty()) {
      return batch;
    }
    return new EventBatch(batch.events().stream().filter(e -> !unreadable.contains(e.partition())).toList(),
        batch.deadLetters().stream().filter(d -> !unreadable.contains(d.partition())).toList());
  }

  private void restore(int partition, RestoredPartition restored) {
    drop(partition);
    try {
      if (restored.changes().size() != restored.storedChanges()) {
        // Deltas lost apart from their checkpoint row: the base alone is an older state than the offset.
        throw new IllegalArgumentException("the checkpoint counts " + restored.storedChanges() + " state "
            + "change(s) on its base snapshot but pipeline_state_changes holds " + restored.changes().size());
      }
      partitions.put(partition, PartitionWindows.restore(partition, settings, restored.snapshot(),
          restored.changes()));
    } catch (IllegalArgumentException e) {
      unreadable.add(partition);
      log.error("lane {}: cannot read the stored window state of partition {} ({}); the partition is not "
          + "processed until a build that reads it takes over", lane, partition, e.getMessage());
    }
  }

  private void collectClosed(int partition, PartitionWindows state, long now) {
    List<WindowResult> ready = state.closeReady(now);
    if (!ready.isEmpty()) {
      closed.addAll(ready);
      justClosed.addAll(ready);
    }
  }

  private void drop(int partition) {
    partitions.remove(partition);
    unreadable.remove(partition);
    closed.removeIf(w -> w.partition() == partition);
  }

  private void closeReady() {
    long now = System.currentTimeMillis();
    long windows = 0;
    long sessions = 0;
    long lowestWatermark = Long.MAX_VALUE;
    for (Map.Entry<Integer, PartitionWindows> entry : partitions.entrySet()) {
      PartitionWindows state = entry.getValue();
      collectClosed(entry.getKey(), state, now);
      windows += state.openWindows();
      sessions += state.openSessions();
      lowestWatermark = Math.min(lowestWatermark, state.watermark());
    }
    logClosedTumbling(justClosed);
    justClosed.clear();
    metrics.addActiveWindows(windows - reportedWindows);
    metrics.addActiveSessions(sessions - reportedSessions);
    reportedWindows = windows;
    reportedSessions = sessions;
    if (lowestWatermark != Long.MAX_VALUE && lowestWatermark > 0) {
      metrics.watermarkDelay(now - lowestWatermark);
    }
  }

  /** One line per closed tumbling window with this lane's figures (its partitions' partials summed). */
  private void logClosedTumbling(List<WindowResult> results) {
    Map<String, long[]> sums = new TreeMap<>();
    Map<String, Set<Integer>> partitionsByWindow = new HashMap<>();
    for (WindowResult w : results) {
      if (w.type() == WindowType.SESSION_SUMMARY) {
        continue;
      }
      String key = w.type().wireName() + " [" + Instant.ofEpochMilli(w.windowStart()) + ", "
          + Instant.ofEpochMilli(w.windowEnd()) + ")";
      long[] sum = sums.computeIfAbsent(key, k -> new long[6]);
      sum[0] += w.eventCount();
      sum[1] += w.uniqueUsers();
      sum[2] += w.pageViews();
      sum[3] += w.addToCarts();
      sum[4] += w.purchases();
      sum[5] += w.totalRevenueCents();
      partitionsByWindow.computeIfAbsent(key, k -> new TreeSet<>()).add(w.partition());
    }
    sums.forEach((key, sum) -> log.info("lane {}: closed {} on partitions {}: {} events, {} users, {} views, "
            + "{} carts, {} purchases, revenue {} cents", lane, key, partitionsByWindow.get(key), sum[0], sum[1],
        sum[2], sum[3], sum[4], sum[5]));
  }

  private void forward(LaneMessage message) {
    vertx.eventBus().send(Addresses.laneSink(lane), message);
  }

  @Override
  public Future<?> stop() {
    metrics.addActiveWindows(-reportedWindows);
    metrics.addActiveSessions(-reportedSessions);
    return Future.succeededFuture();
  }
}
