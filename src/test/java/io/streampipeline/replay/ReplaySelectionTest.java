package io.streampipeline.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.config.ReplayOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplaySelectionTest {

  @Test
  void withoutFiltersOnlyFirstEntriesNotReplayedYet() {
    ReplaySelection s = new ReplaySelection(ReplayOptions.all());
    assertEquals(List.of(), s.params());
    assertEquals("SELECT id, source_topic, source_partition, source_offset, error_reason, original_payload, "
        + "payload_encoding FROM dead_letter_events WHERE replay_of IS NULL AND replayed_at IS NULL AND id > $1 "
        + "ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED", s.chunk());
    assertEquals("SELECT count(*) FROM dead_letter_events WHERE replay_of IS NULL AND replayed_at IS NOT NULL",
        s.countAlreadyReplayed());
  }

  @Test
  void everyFilterIsAParameterInOrder() {
    ReplaySelection s = new ReplaySelection(new ReplayOptions("constraint", 1000L, 2000L, 3, 10, false, null,
        false));
    assertEquals(List.of("constraint", 1000L, 2000L, 3), s.params());
    String chunk = s.chunk();
    assertTrue(chunk.contains("strpos(lower(error_reason), lower($1)) > 0"), chunk);
    assertTrue(chunk.contains("failed_at >= $2 AND failed_at < $3 AND source_partition = $4"), chunk);
    assertTrue(chunk.contains("id > $5 ORDER BY id LIMIT $6"), chunk);
    assertTrue(s.countByReason().contains("ORDER BY id LIMIT 10)"), s.countByReason());
  }

  @Test
  void againIncludesRowsReplayedBeforeButNeverTheirReturnedCopies() {
    ReplaySelection s = new ReplaySelection(new ReplayOptions(null, null, null, null, ReplayOptions.NO_LIMIT,
        false, null, true));
    assertFalse(s.chunk().contains("replayed_at"), s.chunk());
    assertTrue(s.chunk().contains("replay_of IS NULL"), s.chunk());
    assertFalse(s.countByReason().contains("LIMIT"), s.countByReason());
    assertTrue(s.countAlreadyReplayed().endsWith(" AND false"), s.countAlreadyReplayed());
  }
}
