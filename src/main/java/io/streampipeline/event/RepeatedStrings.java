package io.streampipeline.event;

import java.util.Arrays;

/**
 * The strings decoded for one field whose values repeat from event to event (a product, a page, a user agent, a
 * user id), kept so that the same bytes give the same String instance. A hit allocates nothing; the instance's
 * hash code, computed once, serves every window map the event then goes through, where a string decoded afresh
 * would be hashed and compared byte by byte each time; and the sink, which reads every string again to write its
 * row, finds the repeated ones still in the cache.
 *
 * <p>Two-way set-associative with a fixed number of entries: a field with more distinct values than entries only
 * replaces the least recently used of a set, so memory stays bounded whatever the input. Two ways, not one: with
 * one, two frequent values that share a slot would evict each other on every event. Each entry carries the sampled
 * hash of its bytes, so a value that is not kept is told apart without reading the kept bytes; and once its set is
 * full, a value replaces an entry only when it is one of the set's last two misses: a field whose values seldom
 * come back (a user id among hundreds of thousands of users) then costs a sampled hash and a look at two small
 * arrays, not a copy of its bytes per event. Only strings of at most {@link #MAX_LENGTH} bytes are kept. Not
 * thread-safe: one per decoding thread, like the reader that uses it.
 */
final class RepeatedStrings {
  static final int MAX_LENGTH = 512;

  private final byte[][] bytes;
  private final String[] strings;
  /** Per entry: the sampled hash of its bytes (meaningful while its bytes are not null). */
  private final int[] hashes;
  /** Per set, two entries: the sampled hashes of the last two values that missed and were not kept. */
  private final int[] missed;
  private final int setMask;

  /** @param entries how many values are kept at most (a power of two, at least 2) */
  RepeatedStrings(int entries) {
    if (entries < 2 || Integer.bitCount(entries) != 1) {
      throw new IllegalArgumentException("entries must be a power of two of at least 2, was " + entries);
    }
    bytes = new byte[entries][];
    strings = new String[entries];
    hashes = new int[entries];
    missed = new int[entries];
    setMask = entries / 2 - 1;
  }

  /** The string kept for {@code b[start, start + len)} with this {@link #hash}, or null when it is not kept. */
  String find(int hash, byte[] b, int start, int len) {
    int first = (hash & setMask) * 2;
    if (matches(first, hash, b, start, len)) {
      return strings[first];
    }
    int second = first + 1;
    if (matches(second, hash, b, start, len)) {
      // The most recently used way first: the next value kept in this set replaces the other one.
      byte[] k = bytes[first];
      String s = strings[first];
      int h = hashes[first];
      bytes[first] = bytes[second];
      strings[first] = strings[second];
      hashes[first] = hashes[second];
      bytes[second] = k;
      strings[second] = s;
      hashes[second] = h;
      return strings[first];
    }
    return null;
  }

  /**
   * After {@link #find} returned null: keeps {@code s}, decoded from {@code b[start, start + len)}, in place of the
   * least recently used of its set, when the set has a free entry or the value is one of the set's last two misses.
   */
  void keep(int hash, byte[] b, int start, int len, String s) {
    if (len > MAX_LENGTH) {
      return;
    }
    int first = (hash & setMask) * 2;
    if (bytes[first + 1] != null && missed[first] != hash && missed[first + 1] != hash) {
      missed[first + 1] = missed[first];
      missed[first] = hash;
      return;
    }
    bytes[first + 1] = bytes[first];
    strings[first + 1] = strings[first];
    hashes[first + 1] = hashes[first];
    bytes[first] = Arrays.copyOfRange(b, start, start + len);
    strings[first] = s;
    hashes[first] = hash;
  }

  private boolean matches(int entry, int hash, byte[] b, int start, int len) {
    if (hashes[entry] != hash) {
      return false;
    }
    byte[] kept = bytes[entry];
    return kept != null && Arrays.equals(kept, 0, kept.length, b, start, start + len);
  }

  /**
   * The hash that picks the set, from the length and up to 16 sampled bytes (the first 8 and the last 8): values
   * of one field often share a long prefix (URLs, user agents) or suffix, rarely both, and hashing every byte would
   * cost as much as the String's own hash this is meant to save. The comparison in {@link #find} makes any
   * collision harmless.
   */
  static int hash(byte[] b, int start, int len) {
    int h = len;
    int head = Math.min(len, 8);
    for (int i = 0; i < head; i++) {
      h = 31 * h + b[start + i];
    }
    for (int i = Math.max(head, len - 8); i < len; i++) {
      h = 31 * h + b[start + i];
    }
    return h ^ (h >>> 16);
  }
}
