package io.streampipeline.window;

import java.util.Arrays;

/**
 * A set of strings, each numbered 0, 1, 2… in the order it was first added. Open addressing over an int table
 * with the strings in one array: no entry object or boxed number per string. It serves as a window's distinct
 * users (added per event, then written in order, so a delta can write "the users from number k on") and as the
 * string dictionary of a snapshot or delta, where a HashMap would allocate two objects per session id, and with
 * many users there is a new session id in nearly every delta. Strings are never removed.
 */
public final class NumberedStrings {
  private static final int MIN_SLOTS = 8;

  private String[] byNumber;
  /**
   * Per slot: the string's hash in the high 32 bits and its number plus 1 in the low 32 (0 marks a free slot), so
   * a probe compares strings only when their hashes are equal.
   */
  private long[] slots;
  private int size;

  public NumberedStrings() {
    this(MIN_SLOTS);
  }

  public NumberedStrings(int expected) {
    int c = Integer.highestOneBit(Math.max(MIN_SLOTS, expected * 2) - 1) << 1;
    slots = new long[c];
    byNumber = new String[c / 2];
  }

  public int size() {
    return size;
  }

  /** The string numbered {@code number} (0 ≤ number &lt; size()). */
  public String get(int number) {
    if (number >= size) {
      throw new IndexOutOfBoundsException(number);
    }
    return byNumber[number];
  }

  /** @return true when {@code s} was new (it now has the number size() - 1) */
  public boolean add(String s) {
    return numberOrAdd(s) < 0;
  }

  /**
   * One probe for "look up, else add": the number of {@code s} when it was already present, or -1 when this
   * call added it.
   */
  public int numberOrAdd(String s) {
    int hash = s.hashCode();
    int mask = slots.length - 1;
    int i = spread(hash) & mask;
    for (long slot; (slot = slots[i]) != 0; i = (i + 1) & mask) {
      if ((int) (slot >>> 32) == hash && byNumber[(int) slot - 1].equals(s)) {
        return (int) slot - 1;
      }
    }
    if (size == byNumber.length) {
      byNumber = Arrays.copyOf(byNumber, size * 2);
    }
    byNumber[size] = s;
    slots[i] = slot(hash, ++size);
    // Load at most 1/2: probes stay short, and a free slot always ends one.
    if (size * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    return -1;
  }

  private void rehash(int capacity) {
    slots = new long[capacity];
    int mask = capacity - 1;
    for (int n = 0; n < size; n++) {
      int hash = byNumber[n].hashCode();
      int i = spread(hash) & mask;
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = slot(hash, n + 1);
    }
  }

  private static long slot(int hash, int numberPlusOne) {
    return (long) hash << 32 | numberPlusOne;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
