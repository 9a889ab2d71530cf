package io.streampipeline.event;

import java.util.Arrays;

/**
 * The strings decoded for one field whose values repeat from event to event (a product, a category, a page, a
 * user agent), kept so that the same bytes give the same String instance. A hit allocates nothing, and the
 * instance's hash code, computed once, serves every window map the event then goes through, where a string
 * decoded afresh would be hashed and compared byte by byte each time.
 *
 * <p>Direct-mapped with a fixed number of slots: a field with more distinct values than slots only replaces
 * entries, so memory stays bounded whatever the input, and a miss costs one sampled hash and one comparison more
 * than decoding alone. Only strings of at most {@link #MAX_LENGTH} bytes are kept. Not thread-safe: one per
 * decoding thread, like the reader that uses it.
 */
final class RepeatedStrings {
  static final int MAX_LENGTH = 512;
  private static final int SLOTS = 1024;

  private final byte[][] bytes = new byte[SLOTS][];
  private final String[] strings = new String[SLOTS];

  /** The string kept for {@code b[start, start + len)}, or null when those bytes are not kept. */
  String find(byte[] b, int start, int len) {
    int slot = slot(b, start, len);
    byte[] kept = bytes[slot];
    if (kept != null && Arrays.equals(kept, 0, kept.length, b, start, start + len)) {
      return strings[slot];
    }
    return null;
  }

  /** Keeps {@code s}, decoded from {@code b[start, start + len)}, in place of what its slot held. */
  void keep(byte[] b, int start, int len, String s) {
    if (len <= MAX_LENGTH) {
      int slot = slot(b, start, len);
      bytes[slot] = Arrays.copyOfRange(b, start, start + len);
      strings[slot] = s;
    }
  }

  /**
   * The slot from the length and up to 16 sampled bytes (the first 8 and the last 8): values of one field often
   * share a long prefix (URLs, user agents) or suffix, rarely both, and hashing every byte would cost as much as
   * the String's own hash this is meant to save. The comparison in {@link #find} makes any collision harmless.
   */
  private static int slot(byte[] b, int start, int len) {
    int h = len;
    int head = Math.min(len, 8);
    for (int i = 0; i < head; i++) {
      h = 31 * h + b[start + i];
    }
    for (int i = Math.max(head, len - 8); i < len; i++) {
      h = 31 * h + b[start + i];
    }
    h ^= h >>> 16;
    return h & (SLOTS - 1);
  }
}
