package io.streampipeline.window;

import java.util.Arrays;

/**
 * String → count, open addressing with linear probing: no entry or boxed objects per key, so the many small
 * tallies of open sessions stay small. Keys are never removed.
 */
public final class CountMap {
  private String[] keys;
  private long[] counts;
  private int size;

  public CountMap(int capacity) {
    int c = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
    keys = new String[c];
    counts = new long[c];
  }

  public int size() {
    return size;
  }

  public void add(String key, long n) {
    int mask = keys.length - 1;
    for (int i = spread(key.hashCode()) & mask; ; i = (i + 1) & mask) {
      String k = keys[i];
      if (k == null) {
        break;
      }
      if (k.equals(key)) {
        counts[i] += n;
        return;
      }
    }
    // Keep at least one free slot (load <= 3/4) so a probe always ends.
    if ((size + 1) * 4 > keys.length * 3) {
      grow();
    }
    insertNew(key, n);
    size++;
  }

  /** Calls {@code visitor} for every entry, in no particular order. */
  public void forEach(Visitor visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        visitor.visit(keys[i], counts[i]);
      }
    }
  }

  /** The entries ordered by count descending, then key ascending (String order). */
  Sorted sorted() {
    String[] k = new String[size];
    long[] c = new long[size];
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        k[n] = keys[i];
        c[n] = counts[i];
        n++;
      }
    }
    if (n <= SORT_IN_PLACE_UP_TO) {
      insertionSort(k, c, n);
      return new Sorted(k, c);
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> before(k[a], c[a], k[b], c[b]) ? -1 : before(k[b], c[b], k[a], c[a]) ? 1 : 0);
    String[] sortedKeys = new String[n];
    long[] sortedCounts = new long[n];
    for (int i = 0; i < n; i++) {
      sortedKeys[i] = k[order[i]];
      sortedCounts[i] = c[order[i]];
    }
    return new Sorted(sortedKeys, sortedCounts);
  }

  /**
   * Up to this many entries are sorted in place by insertion: a session's tallies hold a few products and
   * categories, and with many users a session closes every few events, so they are the common case.
   */
  private static final int SORT_IN_PLACE_UP_TO = 16;

  private static void insertionSort(String[] k, long[] c, int n) {
    for (int i = 1; i < n; i++) {
      String key = k[i];
      long count = c[i];
      int j = i - 1;
      while (j >= 0 && before(key, count, k[j], c[j])) {
        k[j + 1] = k[j];
        c[j + 1] = c[j];
        j--;
      }
      k[j + 1] = key;
      c[j + 1] = count;
    }
  }

  /** Count descending, then key ascending. */
  private static boolean before(String key, long count, String otherKey, long otherCount) {
    return count != otherCount ? count > otherCount : key.compareTo(otherKey) < 0;
  }

  static final Sorted EMPTY = new Sorted(new String[0], new long[0]);

  record Sorted(String[] keys, long[] counts) {
  }

  private void grow() {
    String[] oldKeys = keys;
    long[] oldCounts = counts;
    keys = new String[oldKeys.length * 2];
    counts = new long[oldKeys.length * 2];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        insertNew(oldKeys[i], oldCounts[i]);
      }
    }
  }

  private void insertNew(String key, long n) {
    int mask = keys.length - 1;
    int i = spread(key.hashCode()) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    counts[i] = n;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  @FunctionalInterface
  public interface Visitor {
    void visit(String key, long count);
  }
}
