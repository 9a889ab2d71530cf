package io.streampipeline.alt.ks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.metrics.PipelineMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * The Kafka Streams alternative as the bench runs it: reads its settings from the environment, runs the topology
 * with exactly_once_v2 until every record is committed, writes the report, and then waits, idle, for its standard
 * input to close (the bench's signal to exit).
 */
public final class KafkaStreamsJob {
  static final String SYSTEM = "Kafka Streams 4.4.0 exactly_once_v2";
  private static final long POLL_MS = 50;

  private KafkaStreamsJob() {
  }

  public static void main(String[] args) {
    try {
      run(JobSettings.fromEnvironment(System.getenv()));
    } catch (Throwable t) {
      fail(t);
    }
  }

  private static void run(JobSettings s) throws Exception {
    Files.createDirectories(s.workDir());
    JobCounters counters = new JobCounters(s.startedFile());
    PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    AtomicReference<Throwable> failure = new AtomicReference<>();

    KafkaStreams streams = new KafkaStreams(
        JobTopology.build(s, metrics, counters, System::currentTimeMillis), streamsProperties(s));
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.ERROR) {
        failure.compareAndSet(null, new IllegalStateException("Kafka Streams went from " + before + " to ERROR"));
      }
    });

    long doneMs;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers()))) {
      DoneWatcher watcher = new DoneWatcher(admin, s.group(), s.topic(), s.records());
      streams.start();
      while (true) {
        Throwable failed = failure.get();
        if (failed != null) {
          throw new IllegalStateException("Kafka Streams failed: " + failed, failed);
        }
        if (watcher.done()) {
          doneMs = System.currentTimeMillis();
          break;
        }
        Thread.sleep(POLL_MS);
      }
    }
    RecordCounts counts = countsOf(streams);
    Report report = new Report(SYSTEM, counters.firstRecordMs.get(), doneMs, counts.read(), counts.stored(),
        counts.deadLetters(), counters.windowsEmitted.get(), droppedRecords(streams), notes(s));
    report.writeAtomically(s.reportFile());
    System.err.println("kafka-streams job: done, " + report.toJson());
    streams.close(Duration.ofSeconds(30));
    waitForEndOfInput(System.in);
    System.exit(0);
  }

  /** The record counts of every local task, read from the store (retried while a rebalance makes it unavailable). */
  private static RecordCounts countsOf(KafkaStreams streams) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        return RecordCounts.sum(streams.store(StoreQueryParameters.fromNameAndType(RecordCounts.STORE,
            QueryableStoreTypes.<Integer, byte[]>keyValueStore())));
      } catch (InvalidStateStoreException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(POLL_MS);
      }
    }
  }

  /** Kafka Streams' count of records its windows dropped as late (task-level dropped-records). */
  static long droppedRecords(KafkaStreams streams) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      if (e.getKey().name().equals("dropped-records-total")
          && e.getValue().metricValue() instanceof Double d) {
        sum += d;
      }
    }
    return (long) sum;
  }

  static Properties streamsProperties(JobSettings s) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.group());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.parallelism());
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.workDir().resolve("state").toString());
    // A transaction a second, as the pipeline's checkpoints (SINK_FLUSH_INTERVAL_SECONDS 1 in the bench) and the
    // Flink job's: under EOS Kafka Streams commits every 100 ms by default, and each commit logs every changed
    // session's whole aggregate to its changelogs again.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    // Everything else stays at Kafka Streams' defaults (RocksDB stores with changelogs, a 10 MB record cache, the
    // broker's replication factor for internal topics).
    return p;
  }

  private static String notes(JobSettings s) {
    return "windows per source partition through 2 repartition topics (by partition, by partition:user:session); "
        + "windows still open at the end are not emitted (stream time stops with the data; with few users a session "
        + "never pauses " + s.sessionTimeout().toSeconds() + " s, so none closes); a late event is dropped only from "
        + "the windows it is late for (pipeline: from all); no repeated-event_id dedup; no database or DLQ writes "
        + "(counts kept in a state store; windows_emitted in memory)";
  }

  private static void waitForEndOfInput(InputStream in) throws IOException {
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      // Anything the bench writes is ignored: only the end of input matters.
    }
  }

  private static void fail(Throwable t) {
    System.err.println("kafka-streams job failed: " + t);
    System.err.flush();
    Runtime.getRuntime().halt(1);
  }
}
