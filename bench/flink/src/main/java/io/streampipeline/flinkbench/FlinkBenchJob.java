package io.streampipeline.flinkbench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The bench's Apache Flink alternative: the pipeline's workload as a bounded Flink job on a local MiniCluster in
 * this JVM. Reads the pre-loaded topic from the earliest to the latest offsets, runs the pipeline's own
 * per-record rules in the source, writes every event, window row and dead letter through the JDBC connector's
 * XA sinks (exactly once, committed on checkpoints every second), then reports and waits for the bench to close
 * its standard input. See README.md.
 */
public final class FlinkBenchJob {
  static final String SYSTEM = "Apache Flink 2.2.1 (MiniCluster, JDBC connector 4.0.0-2.0 XA sinks)";

  private FlinkBenchJob() {
  }

  public static void main(String[] args) {
    try {
      JobSettings settings = JobSettings.fromEnvironment(System.getenv());
      BenchResult result = run(settings);
      result.writeAtomically(Path.of(settings.reportFile()));
      System.out.println("flink-bench: done " + result.toJson());
      // The protocol: stay alive, idle, until the bench closes our standard input.
      while (System.in.read() != -1) {
        // discard
      }
      System.exit(0);
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      System.err.println("flink-bench failed: " + e + (root != e ? " (cause: " + root + ")" : ""));
      e.printStackTrace();
      System.exit(1);
    }
  }

  static BenchResult run(JobSettings s) throws Exception {
    StartSignal.fileAt(Path.of(s.startedFile()));
    String topicId = topicId(s);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(s.parallelism(),
        configuration(s));
    // Records are never changed after they are made, so chained operators may pass them on without a copy.
    env.getConfig().enableObjectReuse();

    KafkaSource<Parsed> source = KafkaSource.<Parsed>builder()
        .setBootstrapServers(s.bootstrapServers())
        .setTopics(s.topic())
        .setGroupId(s.group())
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(new RecordDecoder(s.topic(), topicId))
        // Flink's positions are in its checkpoints; the source's commits to Kafka are asynchronous and the last
        // one of a bounded job can be cut off, so none are made and the bench checks the stored rows instead.
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
    // Per split (Kafka partition) watermarks, bounded out of orderness = the allowed lateness; idleness off.
    // Only stored events carry an event time: dead letters and bots get none and so never move the watermark.
    WatermarkStrategy<Parsed> watermarks = WatermarkStrategy
        .<Parsed>forBoundedOutOfOrderness(Duration.ofMillis(s.allowedLatenessMs()))
        .withTimestampAssigner((p, kafkaTime) -> p.event != null ? p.event.timestamp : Long.MIN_VALUE);

    SingleOutputStreamOperator<EventRow> events = env.fromSource(source, watermarks, "kafka-source")
        .uid("kafka-source")
        .process(new Router(), TypeInformation.of(EventRow.class)).name("rules-router").uid("rules-router");
    events.sinkTo(XaSinks.events(s)).name("clickstream_events-xa").uid("clickstream_events-xa");
    events.getSideOutput(Router.DEAD_LETTERS).sinkTo(XaSinks.deadLetters(s)).name("dead_letter_events-xa")
        .uid("dead_letter_events-xa");

    DataStream<WindowInput> windowInput = events.map(WindowInput::of, TypeInformation.of(WindowInput.class))
        .name("window-input").uid("window-input");
    WindowStage.apply(windowInput, s.windows())
        .sinkTo(XaSinks.windows(s)).name("aggregated_metrics-xa").uid("aggregated_metrics-xa");

    JobExecutionResult job = env.execute("stream-pipeline flink bench");
    Object read = job.getAllAccumulatorResults().get(Router.RECORDS);
    if (!(read instanceof Number n) || n.longValue() != s.records()) {
      throw new IllegalStateException("the job ended having read " + read + " of " + s.records() + " records");
    }
    long doneMs = System.currentTimeMillis();
    return BenchResult.of(SYSTEM, StartSignal.firstRecordMs(), doneMs, job.getAllAccumulatorResults(),
        tableCounts(s));
  }

  static Configuration configuration(JobSettings s) {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    // A failure ends the run (the bench reports it) instead of restarting from the last checkpoint forever.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    // Checkpoints in the scratch directory: the JobManager's memory is capped at a few MB per state handle,
    // and the open sessions of a large run exceed that.
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        Path.of(s.workDir(), "checkpoints").toAbsolutePath().toUri().toString());
    return conf;
  }

  /** Kafka's ID of the topic, recorded with each dead letter as the pipeline does (source_topic_id). */
  private static String topicId(JobSettings s) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      return admin.describeTopics(java.util.List.of(s.topic())).allTopicNames().get()
          .get(s.topic()).topicId().toString();
    }
  }

  /** What the tables hold after the job: the committed rows, the count the bench checks. */
  private static Map<String, Long> tableCounts(JobSettings s) throws SQLException {
    try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.jdbcUser(), s.jdbcPassword());
        Statement st = c.createStatement()) {
      return Map.of(
          "clickstream_events", count(st, "clickstream_events"),
          "aggregated_metrics", count(st, "aggregated_metrics"),
          "dead_letter_events", count(st, "dead_letter_events"));
    }
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
