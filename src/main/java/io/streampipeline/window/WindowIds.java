package io.streampipeline.window;

import io.streampipeline.bus.WindowType;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic window ids, so that a replay produces the same id and overwrites instead of adding: a
 * name-based (version 3) UUID, 36 characters, of a canonical string.
 *
 * <p>Canonical strings: {@code window_type:window_start:partition} for tumbling windows, and
 * {@code session_summary:window_start:partition:L:user_id:session_id} for sessions, where {@code L} is the
 * length of user_id in UTF-16 units (so a ':' inside the ids cannot make two sessions collide). Numbers are
 * decimal; the string is hashed as UTF-8.
 */
public final class WindowIds {

  private WindowIds() {
  }

  public static String tumbling(WindowType type, long windowStart, int partition) {
    if (type == WindowType.SESSION_SUMMARY) {
      throw new IllegalArgumentException("a session id needs user_id and session_id");
    }
    return uuidOf(type.wireName() + ':' + windowStart + ':' + partition);
  }

  public static String session(long windowStart, int partition, String userId, String sessionId) {
    return uuidOf(WindowType.SESSION_SUMMARY.wireName() + ':' + windowStart + ':' + partition + ':'
        + userId.length() + ':' + userId + ':' + sessionId);
  }

  private static String uuidOf(String canonical) {
    return UUID.nameUUIDFromBytes(canonical.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
