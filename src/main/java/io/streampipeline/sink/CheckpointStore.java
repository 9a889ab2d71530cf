package io.streampipeline.sink;

import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import io.vertx.core.Future;
import java.util.List;

/** Where checkpoints are written: PostgreSQL ({@link CheckpointWriter}), or a fake in tests of the protocol. */
interface CheckpointStore {

  /**
   * Writes the whole job in one transaction: events, dead letters (the job's and {@code rejected}), closed
   * windows, window state and offsets. Fails with {@link FencedException} when the compare-and-set on owner
   * epoch and offset refuses some partitions (then nothing of the job was written).
   *
   * @return the number of new event rows
   */
  Future<Long> commit(CheckpointJob job, WriteMode mode, List<DeadLetter> rejected);

  /** The events PostgreSQL accepts; each refused one is added to {@code rejected} as a dead letter. */
  Future<List<EnrichedEvent>> acceptedRows(List<EnrichedEvent> events, List<DeadLetter> rejected);

  Failure classify(Throwable err);
}
