package io.streampipeline.flinkbench;

import io.streampipeline.bus.WindowType;
import io.streampipeline.window.AggregatedCodec;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The three window kinds of the pipeline, computed with Flink's own window operators and keyed state:
 * <ul>
 *   <li>events_per_minute and revenue_per_5min: tumbling event-time windows keyed by the Kafka partition (the
 *       pipeline keeps them per partition: a row carries source_partition);
 *   <li>session_summary: event-time session windows keyed by (partition, user_id, session_id), gap = the
 *       timeout. Flink merges session windows that touch ([t, t + gap) intersects inclusively), so an event
 *       exactly the timeout after the last one joins the session, as in the pipeline, which splits only after
 *       more than the timeout. Flink fires a session 1 ms sooner than the pipeline closes it (when the
 *       watermark reaches last + gap - 1): an event landing exactly on that boundary starts a new session here.
 * </ul>
 * Events arrive with their event time as the Flink timestamp and with the source's watermark (bounded
 * out-of-orderness = allowed lateness), so a window fires once the watermark passes its end and an event for a
 * fired window is late: it goes to a side output, which is only counted.
 */
final class WindowStage {
  static final String LATE_MINUTE = "late_events_per_minute";
  static final String LATE_REVENUE = "late_revenue_per_5min";
  static final String LATE_SESSION = "late_session_summary";

  private WindowStage() {
  }

  static DataStream<WindowRow> apply(DataStream<WindowInput> events, WindowSpec spec) {
    DataStream<WindowRow> minute = tumbling(events, WindowType.EVENTS_PER_MINUTE, spec.minuteMs(), LATE_MINUTE);
    DataStream<WindowRow> revenue = tumbling(events, WindowType.REVENUE_PER_5MIN, spec.revenueMs(), LATE_REVENUE);
    DataStream<WindowRow> sessions = sessions(events, spec.sessionTimeoutMs());
    return minute.union(revenue, sessions);
  }

  private static DataStream<WindowRow> tumbling(DataStream<WindowInput> events, WindowType type, long sizeMs,
      String lateCounter) {
    OutputTag<WindowInput> late = new OutputTag<>("late-" + type.wireName(), TypeInformation.of(WindowInput.class));
    SingleOutputStreamOperator<WindowRow> rows = events
        .keyBy(e -> e.partition, Types.INT)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(sizeMs)))
        .sideOutputLateData(late)
        .aggregate(new WindowAggregate(), new TumblingRows(type), TypeInformation.of(WindowAcc.class),
            TypeInformation.of(WindowAcc.class), TypeInformation.of(WindowRow.class))
        .name(type.wireName())
        .uid(type.wireName());
    countLate(rows.getSideOutput(late), lateCounter);
    return rows;
  }

  private static DataStream<WindowRow> sessions(DataStream<WindowInput> events, long timeoutMs) {
    OutputTag<WindowInput> late = new OutputTag<>("late-session", TypeInformation.of(WindowInput.class));
    SingleOutputStreamOperator<WindowRow> rows = events
        .keyBy(e -> Tuple3.of(e.partition, e.userId, e.sessionId),
            new TypeHint<Tuple3<Integer, String, String>>() {
            }.getTypeInfo())
        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(timeoutMs)))
        .sideOutputLateData(late)
        .aggregate(new WindowAggregate(), new SessionRows(), TypeInformation.of(WindowAcc.class),
            TypeInformation.of(WindowAcc.class), TypeInformation.of(WindowRow.class))
        .name("session_summary")
        .uid("session_summary");
    countLate(rows.getSideOutput(late), LATE_SESSION);
    return rows;
  }

  private static void countLate(DataStream<WindowInput> late, String accumulator) {
    late.process(new LateCounter(accumulator)).returns(Types.VOID).name(accumulator)
        .sinkTo(new DiscardingSink<>()).name(accumulator + "-discard");
  }

  /** Turns a tumbling window's accumulator into its row; the key is the partition. */
  static final class TumblingRows extends ProcessWindowFunction<WindowAcc, WindowRow, Integer, TimeWindow> {
    private final WindowType type;
    private transient AggregatedCodec codec;

    TumblingRows(WindowType type) {
      this.type = type;
    }

    @Override
    public void open(OpenContext context) {
      codec = new AggregatedCodec();
    }

    @Override
    public void process(Integer partition, Context ctx, Iterable<WindowAcc> accs, Collector<WindowRow> out) {
      WindowAcc acc = accs.iterator().next();
      WindowRow row = WindowRow.tumbling(type, ctx.window().getStart(), ctx.window().getEnd(), partition, acc,
          System.currentTimeMillis());
      row.message = codec.encode(row.toResult());
      out.collect(row);
    }
  }

  /** Turns a closed session's accumulator into its row; the key is (partition, user_id, session_id). */
  static final class SessionRows
      extends ProcessWindowFunction<WindowAcc, WindowRow, Tuple3<Integer, String, String>, TimeWindow> {
    private transient AggregatedCodec codec;

    @Override
    public void open(OpenContext context) {
      codec = new AggregatedCodec();
    }

    @Override
    public void process(Tuple3<Integer, String, String> key, Context ctx, Iterable<WindowAcc> accs,
        Collector<WindowRow> out) {
      WindowAcc acc = accs.iterator().next();
      WindowRow row = WindowRow.session(key.f0, key.f1, key.f2, acc, System.currentTimeMillis());
      row.message = codec.encode(row.toResult());
      out.collect(row);
    }
  }

  /** Counts the events a window operator dropped as late into an accumulator; emits nothing. */
  static final class LateCounter extends ProcessFunction<WindowInput, Void> {
    private final String name;
    private transient LongCounter count;

    LateCounter(String name) {
      this.name = name;
    }

    @Override
    public void open(OpenContext context) {
      count = new LongCounter();
      getRuntimeContext().addAccumulator(name, count);
    }

    @Override
    public void processElement(WindowInput value, Context ctx, Collector<Void> out) {
      count.add(1);
    }
  }
}
