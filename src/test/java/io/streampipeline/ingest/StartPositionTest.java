package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.config.PipelineConfig.OffsetOutOfRange;
import io.streampipeline.ingest.StartPosition.Action;
import io.streampipeline.ingest.StartPosition.Reason;
import org.junit.jupiter.api.Test;

class StartPositionTest {

  @Test
  void aStoredOffsetInsideTheLogIsWhereReadingContinues() {
    assertEquals(new StartPosition(Action.CONTINUE, 40, Reason.NONE), StartPosition.decide(40, 0, 100, OffsetOutOfRange.RESET));
    assertEquals(new StartPosition(Action.CONTINUE, 100, Reason.NONE), StartPosition.decide(100, 0, 100, OffsetOutOfRange.HALT),
        "caught up: the log end itself");
    assertEquals(new StartPosition(Action.CONTINUE, 0, Reason.NONE), StartPosition.decide(0, 0, 0, OffsetOutOfRange.HALT));
  }

  @Test
  void aPartitionNeverCheckpointedStartsAtTheLogStart() {
    assertEquals(new StartPosition(Action.CONTINUE, 12, Reason.NONE), StartPosition.decide(-1, 12, 90, OffsetOutOfRange.HALT));
  }

  @Test
  void aTopicCreatedAgainIsShorterThanTheStoredOffset() {
    assertEquals(new StartPosition(Action.RESET, 0, Reason.OFFSET), StartPosition.decide(5_000, 0, 3_000, OffsetOutOfRange.RESET));
    assertEquals(Action.HALT, StartPosition.decide(5_000, 0, 3_000, OffsetOutOfRange.HALT).action());
  }

  @Test
  void retentionThatRanAheadOfTheStoredOffsetIsOutOfRangeToo() {
    assertEquals(new StartPosition(Action.RESET, 700, Reason.OFFSET), StartPosition.decide(500, 700, 900, OffsetOutOfRange.RESET));
    assertEquals(Action.HALT, StartPosition.decide(500, 700, 900, OffsetOutOfRange.HALT).action());
  }

  @Test
  void aTopicCreatedAgainThatGrewPastTheStoredOffsetIsOutsideTheLogByItsId() {
    assertEquals(new StartPosition(Action.RESET, 0, Reason.TOPIC_ID),
        StartPosition.decide(3_000, "old-id", "new-id", 0, 6_000, OffsetOutOfRange.RESET),
        "the offset is inside the new log, but the log is another one: read it from its start");
    assertEquals(new StartPosition(Action.HALT, 3_000, Reason.TOPIC_ID),
        StartPosition.decide(3_000, "old-id", "new-id", 0, 6_000, OffsetOutOfRange.HALT));
    assertEquals(new StartPosition(Action.CONTINUE, 3_000, Reason.NONE),
        StartPosition.decide(3_000, "same-id", "same-id", 0, 6_000, OffsetOutOfRange.HALT));
  }

  @Test
  void aPositionStoredWithoutATopicIdIsAdoptedNotReset() {
    assertEquals(new StartPosition(Action.CONTINUE, 3_000, Reason.NONE),
        StartPosition.decide(3_000, null, "new-id", 0, 6_000, OffsetOutOfRange.HALT));
    assertEquals(new StartPosition(Action.RESET, 0, Reason.OFFSET),
        StartPosition.decide(9_000, null, "new-id", 0, 6_000, OffsetOutOfRange.RESET),
        "its offset is still checked against the log");
  }

  @Test
  void aTruncatedLogIsReadOnFromWhereItDivergesOrHeld() {
    assertEquals(new StartPosition(Action.RESET, 120, Reason.TRUNCATED),
        StartPosition.truncated(200, 120, OffsetOutOfRange.RESET));
    assertEquals(new StartPosition(Action.HALT, 200, Reason.TRUNCATED),
        StartPosition.truncated(200, 120, OffsetOutOfRange.HALT));
    assertEquals("truncated", Reason.TRUNCATED.tag());
    assertEquals("topic_id", Reason.TOPIC_ID.tag());
  }

  @Test
  void aStoredOffsetPastTheEndOfTheSameLogIsCheckedForATruncationFirst() {
    assertTrue(StartPosition.truncationSuspected(200, "id", 3, "id", 150), "same log, shorter: where did it diverge?");
    assertFalse(StartPosition.truncationSuspected(200, "id", -1, "id", 150), "no epoch stored: by offsets alone");
    assertFalse(StartPosition.truncationSuspected(200, "old", 3, "new", 150), "another log altogether");
    assertFalse(StartPosition.truncationSuspected(200, null, 3, "id", 150), "a row from before topic IDs");
    assertFalse(StartPosition.truncationSuspected(150, "id", 3, "id", 150), "inside the log: the seek validates");
  }
}
