package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import io.streampipeline.bus.WindowType;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WindowIdsTest {

  @Test
  void idsAreNameBasedUuidsOfTheCanonicalString() {
    String id = WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 2);
    assertEquals(36, id.length());
    assertEquals(UUID.nameUUIDFromBytes("events_per_minute:1700000100000:2".getBytes(StandardCharsets.UTF_8))
        .toString(), id);
    assertEquals(3, UUID.fromString(id).version());
    assertEquals(UUID.nameUUIDFromBytes("session_summary:1700000100000:2:4:user:sess-1"
        .getBytes(StandardCharsets.UTF_8)).toString(), WindowIds.session(T0, 2, "user", "sess-1"));
  }

  @Test
  void everyPartOfTheKeyChangesTheId() {
    Set<String> ids = new HashSet<>();
    ids.add(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 0));
    ids.add(WindowIds.tumbling(WindowType.REVENUE_PER_5MIN, T0, 0));
    ids.add(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0 + 60_000, 0));
    ids.add(WindowIds.tumbling(WindowType.EVENTS_PER_MINUTE, T0, 1));
    ids.add(WindowIds.session(T0, 0, "u1", "s1"));
    ids.add(WindowIds.session(T0, 0, "u1", "s2"));
    ids.add(WindowIds.session(T0, 0, "u2", "s1"));
    ids.add(WindowIds.session(T0, 1, "u1", "s1"));
    ids.add(WindowIds.session(T0 + 1, 0, "u1", "s1"));
    assertEquals(9, ids.size());
    assertEquals(WindowIds.session(T0, 0, "u1", "s1"), WindowIds.session(T0, 0, "u1", "s1"));
  }

  @Test
  void aSeparatorInsideTheIdsCannotMakeTwoSessionsCollide() {
    assertNotEquals(WindowIds.session(T0, 0, "a:b", "c"), WindowIds.session(T0, 0, "a", "b:c"));
  }

  @Test
  void aTumblingIdIsNotForSessions() {
    assertThrows(IllegalArgumentException.class, () -> WindowIds.tumbling(WindowType.SESSION_SUMMARY, T0, 0));
  }
}
