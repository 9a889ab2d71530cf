package io.streampipeline.bench;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streampipeline.config.PipelineConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline process of the bench ({@code --processes=N}, {@code --separate-jvm}): the pipeline role as
 * {@code Main} runs it, plus a report of this JVM's own figures, rewritten every {@value #REPORT_MS} ms to the
 * file named by {@value #REPORT_ENV} (atomically, so the bench never reads half a file): peak heap in use and
 * after GC (from this JVM's GC notifications: the broker and the bench are in another JVM, so this is the
 * pipeline's own heap), the open sessions at that peak and at most, the first processed record (as
 * System.nanoTime(), which on Linux is CLOCK_MONOTONIC, the same clock in every process) and the sink's meters.
 *
 * <p>With {@value #PROBE_ENV} set ({@code --heap-probe-seconds}) it also measures the live heap exactly: every
 * so often a full GC ({@code System.gc()}, which G1 runs as a full, compacting collection) and the heap in use
 * right after it, with the open sessions just before it. A young collection's "after GC" keeps every old
 * object that died since G1 last marked (rarely, with a large max heap); a full GC keeps only what is live.
 * The pauses slow the replay, so such a run measures memory, not speed.
 */
public final class PipelineChild {
  public static final String REPORT_ENV = "BENCH_PIPELINE_REPORT";
  /** Milliseconds between live-heap probes (a full GC each); unset or 0: none. */
  static final String PROBE_ENV = "BENCH_HEAP_PROBE_MS";
  static final long REPORT_MS = 50;
  private static final Logger log = LoggerFactory.getLogger(PipelineChild.class);

  private PipelineChild() {
  }

  /** The process's whole life once Main has read the configuration: runs until the JVM is asked to stop. */
  public static void run(PipelineConfig config, PipelineLauncher launcher) {
    Path report = Path.of(System.getenv(REPORT_ENV));
    ResourceSampler sampler = new ResourceSampler();
    BenchedPipeline app = launcher.create(config);
    FirstPoll[] firstPoll = new FirstPoll[1];
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.interrupt();
      write(report, app, sampler, firstPoll[0]);
      app.stop();
    }, "shutdown"));
    app.start();
    sampler.watchSessions(openSessions(app.metrics().registry()));
    firstPoll[0] = new FirstPoll(app.metrics()::totalConsumed);
    String probeMs = System.getenv(PROBE_ENV);
    if (probeMs != null && Long.parseLong(probeMs) > 0) {
      LIVE.start(Long.parseLong(probeMs), openSessions(app.metrics().registry()));
    }
    log.info("bench pipeline process {} started; report in {}", ProcessHandle.current().pid(), report);
    try {
      while (true) {
        write(report, app, sampler, firstPoll[0]);
        Thread.sleep(REPORT_MS);
      }
    } catch (InterruptedException e) {
      // stopping
    }
  }

  private static final LiveHeapProbe LIVE = new LiveHeapProbe();

  /** Full GCs at a fixed interval and the heap left after each: the live heap, exactly. */
  static final class LiveHeapProbe {
    private long probes;
    private long peakLive;
    private long sessionsAtPeakLive;
    private long mostSessions = -1;
    private long liveAtMostSessions;

    void start(long intervalMs, LongSupplier sessions) {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(intervalMs);
            probe(sessions);
          }
        } catch (InterruptedException e) {
          // stopping
        }
      }, "bench-heap-probe");
      t.setDaemon(true);
      t.start();
      log.info("bench: a full GC every {} ms to measure the live heap", intervalMs);
    }

    private void probe(LongSupplier sessions) {
      long open = sessions.getAsLong();
      System.gc();
      long live = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      synchronized (this) {
        probes++;
        if (live > peakLive) {
          peakLive = live;
          sessionsAtPeakLive = open;
        }
        if (open > mostSessions) {
          mostSessions = open;
          liveAtMostSessions = live;
        }
      }
    }

    synchronized void addTo(JsonObject r) {
      if (probes > 0) {
        r.put("live_heap_probes", probes).put("peak_live_heap_bytes", peakLive)
            .put("open_sessions_at_peak_live_heap", sessionsAtPeakLive)
            .put("most_open_sessions_probed", mostSessions).put("live_heap_at_most_open_sessions_bytes",
                liveAtMostSessions);
      }
    }
  }

  /** The pipeline's active_sessions gauge (all lanes of this process). */
  static LongSupplier openSessions(MeterRegistry registry) {
    Gauge gauge = registry.find("stream_pipeline_active_sessions").gauge();
    return gauge == null ? () -> 0 : () -> (long) gauge.value();
  }

  private static synchronized void write(Path report, BenchedPipeline app, ResourceSampler sampler,
      FirstPoll firstPoll) {
    if (app.metrics() == null) {
      return;
    }
    JsonObject r = new JsonObject().put("pid", ProcessHandle.current().pid())
        .put("written_nanos", System.nanoTime())
        .put("first_poll_nanos", firstPoll == null ? -1 : firstPoll.atNanos())
        .put("first_poll_exact", firstPoll != null && firstPoll.exact())
        .put("consumed", Math.round(app.metrics().totalConsumed()))
        .put("max_heap_bytes", Runtime.getRuntime().maxMemory())
        .put("peak_heap_bytes", sampler.peakHeapBytes())
        .put("peak_heap_after_gc_bytes", sampler.peakLiveHeapBytes())
        .put("open_sessions_at_peak_heap_after_gc", sampler.sessionsAtPeakLiveHeap())
        .put("peak_open_sessions", sampler.peakSessions())
        .put("peak_rss_bytes", sampler.peakRssBytes())
        .put("sink", ReplayRun.sinkMeters(app.metrics().registry()));
    LIVE.addTo(r);
    try {
      Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
      Files.writeString(tmp, r.encode());
      Files.move(tmp, report, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("bench: cannot write {}: {}", report, e.toString());
    }
  }
}
