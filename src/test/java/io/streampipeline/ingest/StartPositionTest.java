package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.app.PipelineConfig.OffsetOutOfRange;
import io.streampipeline.ingest.StartPosition.Action;
import org.junit.jupiter.api.Test;

class StartPositionTest {

  @Test
  void aStoredOffsetInsideTheLogIsWhereReadingContinues() {
    assertEquals(new StartPosition(Action.CONTINUE, 40), StartPosition.decide(40, 0, 100, OffsetOutOfRange.RESET));
    assertEquals(new StartPosition(Action.CONTINUE, 100), StartPosition.decide(100, 0, 100, OffsetOutOfRange.HALT),
        "caught up: the log end itself");
    assertEquals(new StartPosition(Action.CONTINUE, 0), StartPosition.decide(0, 0, 0, OffsetOutOfRange.HALT));
  }

  @Test
  void aPartitionNeverCheckpointedStartsAtTheLogStart() {
    assertEquals(new StartPosition(Action.CONTINUE, 12), StartPosition.decide(-1, 12, 90, OffsetOutOfRange.HALT));
  }

  @Test
  void aTopicCreatedAgainIsShorterThanTheStoredOffset() {
    assertEquals(new StartPosition(Action.RESET, 0), StartPosition.decide(5_000, 0, 3_000, OffsetOutOfRange.RESET));
    assertEquals(Action.HALT, StartPosition.decide(5_000, 0, 3_000, OffsetOutOfRange.HALT).action());
  }

  @Test
  void retentionThatRanAheadOfTheStoredOffsetIsOutOfRangeToo() {
    assertEquals(new StartPosition(Action.RESET, 700), StartPosition.decide(500, 700, 900, OffsetOutOfRange.RESET));
    assertEquals(Action.HALT, StartPosition.decide(500, 700, 900, OffsetOutOfRange.HALT).action());
  }
}
