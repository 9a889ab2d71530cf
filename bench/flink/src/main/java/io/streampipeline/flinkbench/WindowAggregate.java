package io.streampipeline.flinkbench;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Flink's incremental window aggregation: one accumulator per window, updated per event, no event buffered. */
final class WindowAggregate implements AggregateFunction<WindowInput, WindowAcc, WindowAcc> {
  @Override
  public WindowAcc createAccumulator() {
    return new WindowAcc();
  }

  @Override
  public WindowAcc add(WindowInput value, WindowAcc acc) {
    acc.add(value);
    return acc;
  }

  @Override
  public WindowAcc getResult(WindowAcc acc) {
    return acc;
  }

  @Override
  public WindowAcc merge(WindowAcc a, WindowAcc b) {
    return a.mergeFrom(b);
  }
}
