package io.streampipeline.bench;

import javax.management.ListenerNotFoundException;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak memory while a phase runs: heap in use (sampled every 50 ms), live heap (the heap left after each
 * garbage collection, which is what the state really needs) with the pipeline's open sessions at that moment,
 * and resident set size of this process (which, in the bench, also holds the embedded Kafka broker) and of
 * the pipeline processes the bench started. {@link #reset} starts a new phase. The bench's pipeline JVMs
 * ({@link PipelineChild}) run one too, for their own heap.
 */
final class ResourceSampler implements AutoCloseable {
  private final Thread thread;
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private volatile boolean running = true;
  private final Map<Long, Long> peakOtherRss = new ConcurrentHashMap<>();
  private volatile LongSupplier sessions = () -> 0;
  private volatile long peakHeap;
  private volatile long peakLiveHeap;
  private volatile long sessionsAtPeakLiveHeap;
  private volatile long peakSessions;
  private volatile long peakRss;

  ResourceSampler() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        NotificationListener listener = this::onGc;
        emitter.addNotificationListener(listener, null, null);
        unsubscribe.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (ListenerNotFoundException ignored) {
            // already gone
          }
        });
      }
    }
    thread = new Thread(this::loop, "bench-resource-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  void watchProcess(long pid) {
    peakOtherRss.put(pid, 0L);
  }

  /** The pipeline's open sessions in this JVM (its active_sessions gauge). */
  void watchSessions(LongSupplier openSessions) {
    sessions = openSessions;
  }

  synchronized void reset() {
    peakHeap = 0;
    peakLiveHeap = 0;
    sessionsAtPeakLiveHeap = 0;
    peakSessions = 0;
    peakRss = 0;
    peakOtherRss.replaceAll((pid, peak) -> 0L);
  }

  /** Open sessions when the heap after GC was at its peak. */
  long sessionsAtPeakLiveHeap() {
    return sessionsAtPeakLiveHeap;
  }

  /** The most open sessions seen (every 50 ms and at every GC). */
  long peakSessions() {
    return peakSessions;
  }

  long peakHeapBytes() {
    return peakHeap;
  }

  long peakLiveHeapBytes() {
    return peakLiveHeap;
  }

  long peakRssBytes() {
    return peakRss;
  }

  long peakOtherRssBytes(long pid) {
    return peakOtherRss.getOrDefault(pid, 0L);
  }

  private void loop() {
    while (running) {
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long rss = rssBytes("self");
      long open = sessions.getAsLong();
      for (Long pid : peakOtherRss.keySet()) {
        long other = rssBytes(String.valueOf(pid));
        peakOtherRss.merge(pid, other, Math::max);
      }
      synchronized (this) {
        peakHeap = Math.max(peakHeap, heap);
        peakRss = Math.max(peakRss, rss);
        peakSessions = Math.max(peakSessions, open);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void onGc(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
        (CompositeData) notification.getUserData());
    long live = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (isHeapPool(pool.getKey())) {
        live += pool.getValue().getUsed();
      }
    }
    long open = sessions.getAsLong();
    synchronized (this) {
      peakSessions = Math.max(peakSessions, open);
      if (live > peakLiveHeap) {
        peakLiveHeap = live;
        sessionsAtPeakLiveHeap = open;
      }
    }
  }

  private static boolean isHeapPool(String name) {
    return name.contains("Eden") || name.contains("Survivor") || name.contains("Old") || name.contains("Tenured")
        || name.contains("Humongous") || name.contains("ZHeap") || name.contains("Shenandoah");
  }

  /** VmRSS of /proc/PID/status, 0 where there is none. */
  static long rssBytes(String pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    unsubscribe.forEach(Runnable::run);
  }
}
