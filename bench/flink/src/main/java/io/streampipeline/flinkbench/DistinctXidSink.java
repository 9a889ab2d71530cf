package io.streampipeline.flinkbench;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A JDBC XA sink whose transaction ids cannot collide with another XA sink's of the same job.
 *
 * <p>Why: the connector (4.0.0-2.0) names each XA transaction by (job id, subtask, parallelism, checkpoint id)
 * only, so two exactly-once JDBC sinks of one job on the same database prepare the same Xid at the same
 * checkpoint, and PostgreSQL refuses the second ("transaction identifier ... is already in use"). This wrapper
 * hands the sink's writer a job id altered by a per-sink number; everything else is the connector's own. The
 * committer needs nothing: it commits the Xids the writer recorded.
 *
 * <p>It also keeps the writer from failing after the end of its input: Flink 2.x calls {@code prepareCommit} once
 * at the end of input and never again, but still snapshots the writer at every checkpoint until the whole job is
 * done; the connector's writer opens a new transaction on each snapshot and refuses to open a second one while
 * the first is open ("currentXid not null"). After the end of input nothing more is written, so the state of the
 * first snapshot after it stays true and is returned again.
 */
final class DistinctXidSink<T> implements Sink<T>, SupportsWriterState<T, JdbcWriterState>,
    SupportsCommitter<JdbcCommitable> {
  private static final long serialVersionUID = 1L;

  private final JdbcSink<T> sink;
  private final long salt;

  DistinctXidSink(JdbcSink<T> sink, long salt) {
    this.sink = sink;
    this.salt = salt;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return new EndOfInputSafe<>(sink.restoreWriter(new Salted(context, salt), java.util.List.of()));
  }

  @Override
  public StatefulSinkWriter<T, JdbcWriterState> restoreWriter(WriterInitContext context,
      Collection<JdbcWriterState> states) throws IOException {
    return new EndOfInputSafe<>(sink.restoreWriter(new Salted(context, salt), states));
  }

  @Override
  public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
    return sink.createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  /** The connector's writer, snapshotted at most once after the end of its input (see the class comment). */
  private static final class EndOfInputSafe<T> implements StatefulSinkWriter<T, JdbcWriterState>,
      CommittingSinkWriter<T, JdbcCommitable> {
    private final JdbcWriter<T> writer;
    private boolean endOfInput;
    private List<JdbcWriterState> stateAfterEnd;

    EndOfInputSafe(JdbcWriter<T> writer) {
      this.writer = writer;
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
      writer.write(element, context);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      writer.flush(endOfInput);
      this.endOfInput |= endOfInput;
    }

    @Override
    public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
      return writer.prepareCommit();
    }

    @Override
    public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
      if (stateAfterEnd != null) {
        return stateAfterEnd;
      }
      List<JdbcWriterState> state = writer.snapshotState(checkpointId);
      if (endOfInput) {
        stateAfterEnd = state;
      }
      return state;
    }

    @Override
    public void close() throws Exception {
      writer.close();
    }
  }

  /** The writer's context with the job id's lower half XOR-ed with the salt; the rest passed through. */
  private static final class Salted implements WriterInitContext {
    private final WriterInitContext context;
    private final JobInfo jobInfo;

    Salted(WriterInitContext context, long salt) {
      this.context = context;
      JobInfo original = context.getJobInfo();
      JobID id = original.getJobId();
      JobID salted = new JobID(id.getLowerPart() ^ salt, id.getUpperPart());
      this.jobInfo = new JobInfo() {
        @Override
        public JobID getJobId() {
          return salted;
        }

        @Override
        public String getJobName() {
          return original.getJobName();
        }
      };
    }

    @Override
    public JobInfo getJobInfo() {
      return jobInfo;
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
      return context.getRestoredCheckpointId();
    }

    @Override
    public TaskInfo getTaskInfo() {
      return context.getTaskInfo();
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return context.getUserCodeClassLoader();
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
      return context.getMailboxExecutor();
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
      return context.getProcessingTimeService();
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
      return context.asSerializationSchemaInitializationContext();
    }

    @Override
    public boolean isObjectReuseEnabled() {
      return context.isObjectReuseEnabled();
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
      return context.createInputSerializer();
    }

    @Override
    public <MetaT> Optional<Consumer<MetaT>> metadataConsumer() {
      return context.metadataConsumer();
    }
  }
}
