package io.streampipeline.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import io.streampipeline.config.ConfigName;
import io.streampipeline.config.IdleRule;
import org.junit.jupiter.api.Test;

class IdleRuleTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final long HOUR = 3_600_000L;

  @Test
  void aPartitionThatCountedNoEventHasNoEventTimeToMove() {
    for (IdleRule rule : IdleRule.values()) {
      assertEquals(Long.MIN_VALUE, rule.eventTimeReached(Long.MIN_VALUE, NOW, 60_000), ConfigName.of(rule));
    }
  }

  @Test
  void eventTimeFollowsTheWallClockFromWhereTheDataStands() {
    long backfill = NOW - 3 * HOUR;
    assertEquals(backfill + 20_000, IdleRule.EVENT_TIME.eventTimeReached(backfill, NOW, 20_000),
        "hours behind the wall clock: only the quiet time is added");
  }

  @Test
  void eventTimeNeverPassesTheWallClock() {
    assertEquals(NOW, IdleRule.EVENT_TIME.eventTimeReached(NOW - 2_000, NOW, 10_000), "live data catches up");
    assertEquals(NOW + 5_000, IdleRule.EVENT_TIME.eventTimeReached(NOW + 5_000, NOW, 10_000),
        "a clock behind the data never takes event time back");
    assertEquals(Long.MAX_VALUE, IdleRule.EVENT_TIME.eventTimeReached(Long.MAX_VALUE - 1, Long.MAX_VALUE, 10),
        "saturates instead of wrapping around");
  }

  @Test
  void wallClockJumpsToNow() {
    assertEquals(NOW, IdleRule.WALL_CLOCK.eventTimeReached(NOW - 3 * HOUR, NOW, 10_000));
  }

  @Test
  void rulesAreReadByTheirConfigNames() {
    assertEquals(IdleRule.EVENT_TIME, ConfigName.find(IdleRule.class, " event-time "));
    assertEquals(IdleRule.WALL_CLOCK, ConfigName.find(IdleRule.class, "WALL-CLOCK"));
    assertEquals(null, ConfigName.find(IdleRule.class, "wall clock"));
  }
}
