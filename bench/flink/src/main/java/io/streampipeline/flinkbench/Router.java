package io.streampipeline.flinkbench;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits the source's outcomes: events go on (to the event sink and the windows), dead letters to their side
 * output, bots nowhere. Counts each kind in Flink accumulators, which the job's result reports after
 * {@code execute()} (a failed and restarted attempt's counts are dropped with it).
 */
final class Router extends ProcessFunction<Parsed, EventRow> {
  static final OutputTag<DeadLetterRow> DEAD_LETTERS = new OutputTag<>("dead-letters") {
  };
  static final String RECORDS = "records_read";
  static final String EVENTS = "events_forwarded";
  static final String DEAD = "dead_letters";
  static final String BOTS = "bots";

  private transient LongCounter records;
  private transient LongCounter events;
  private transient LongCounter dead;
  private transient LongCounter bots;

  @Override
  public void open(OpenContext context) {
    records = counter(RECORDS);
    events = counter(EVENTS);
    dead = counter(DEAD);
    bots = counter(BOTS);
  }

  private LongCounter counter(String name) {
    LongCounter c = new LongCounter();
    getRuntimeContext().addAccumulator(name, c);
    return c;
  }

  @Override
  public void processElement(Parsed p, Context ctx, Collector<EventRow> out) {
    records.add(1);
    if (p.event != null) {
      events.add(1);
      out.collect(p.event);
    } else if (p.deadLetter != null) {
      dead.add(1);
      ctx.output(DEAD_LETTERS, p.deadLetter);
    } else {
      bots.add(1);
    }
  }
}
