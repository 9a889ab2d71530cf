package io.streampipeline.window;

/**
 * The 64-bit hashes of the last {@code capacity} event ids counted by a partition, oldest first, with an
 * open-addressing set over them for O(1) membership. The set always holds exactly the ring's contents.
 */
public final class DedupRing {
  public static final int CAPACITY = 10_000;

  private final long[] ring;
  private int head;
  private int size;

  // Linear probing with backward-shift deletion; 0 marks an empty slot, so hash 0 is tracked apart.
  private final long[] slots;
  private final int mask;
  private boolean hasZero;

  public DedupRing(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0");
    }
    ring = new long[capacity];
    int tableSize = Integer.highestOneBit(capacity * 3 - 1) << 1;
    slots = new long[Math.max(tableSize, 16)];
    mask = slots.length - 1;
  }

  public int capacity() {
    return ring.length;
  }

  public int size() {
    return size;
  }

  /** @return true when the hash was new (and is now the newest entry), false when already present */
  public boolean add(long hash) {
    if (contains(hash)) {
      return false;
    }
    if (size == ring.length) {
      remove(ring[head]);
      ring[head] = hash;
      head = head + 1 == ring.length ? 0 : head + 1;
    } else {
      int tail = head + size;
      ring[tail >= ring.length ? tail - ring.length : tail] = hash;
      size++;
    }
    insert(hash);
    return true;
  }

  boolean contains(long hash) {
    if (hash == 0) {
      return hasZero;
    }
    for (int i = slot(hash); ; i = (i + 1) & mask) {
      long v = slots[i];
      if (v == hash) {
        return true;
      }
      if (v == 0) {
        return false;
      }
    }
  }

  /** Forgets every hash (a delta that replaces the whole ring). */
  public void clear() {
    java.util.Arrays.fill(ring, 0);
    java.util.Arrays.fill(slots, 0);
    head = 0;
    size = 0;
    hasZero = false;
  }

  /** The newest {@code n} hashes in order, oldest first; n must be at most {@link #size}. */
  public long[] newest(int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      int at = head + size - n + i;
      out[i] = ring[at >= ring.length ? at - ring.length : at];
    }
    return out;
  }

  /** The hashes in order, oldest first. */
  public long[] toArray() {
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      int at = head + i;
      out[i] = ring[at >= ring.length ? at - ring.length : at];
    }
    return out;
  }

  private void insert(long hash) {
    if (hash == 0) {
      hasZero = true;
      return;
    }
    int i = slot(hash);
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = hash;
  }

  private void remove(long hash) {
    if (hash == 0) {
      hasZero = false;
      return;
    }
    int i = slot(hash);
    while (slots[i] != hash) {
      i = (i + 1) & mask;
    }
    // Shift later members of the probe chain back so lookups never stop at the hole.
    int hole = i;
    for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      int home = slot(slots[j]);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = 0;
  }

  private int slot(long hash) {
    return (int) (hash ^ (hash >>> 32)) & mask;
  }
}
