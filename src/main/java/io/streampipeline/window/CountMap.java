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
    Integer[] order = new Integer[size];
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        k[n] = keys[i];
        c[n] = counts[i];
        order[n] = n;
        n++;
      }
    }
    Arrays.sort(order, (a, b) -> {
      int byCount = Long.compare(c[b], c[a]);
      return byCount != 0 ? byCount : k[a].compareTo(k[b]);
    });
    String[] sortedKeys = new String[n];
    long[] sortedCounts = new long[n];
    for (int i = 0; i < n; i++) {
      sortedKeys[i] = k[order[i]];
      sortedCounts[i] = c[order[i]];
    }
    return new Sorted(sortedKeys, sortedCounts);
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
