package io.streampipeline.window;

/**
 * One session of (userId, sessionId): its first and last event time and counts. Kept small because up to
 * hundreds of thousands are open at once.
 */
final class Session extends Aggregate {
  final String userId;
  final String sessionId;
  final int hash;
  long first;
  long last;
  /** The {@code last} this session was queued with for expiry; only the queue changes it. */
  long queuedLast;
  /** Emitted or about to be: no longer in the table, and skipped when the expiry queue reaches it. */
  boolean closed;
  /** Counted in since the last state write (docs/design.md#window-state-storage): goes into the next delta. */
  boolean dirty;
  /** Part of the stored state (a written snapshot or delta): its removal must go into the next delta. */
  boolean persisted;

  Session(String userId, String sessionId, int hash, long ts) {
    this.userId = userId;
    this.sessionId = sessionId;
    this.hash = hash;
    this.first = ts;
    this.last = ts;
  }

  /** Mixed well (murmur3's finalizer) because the table uses the low bits and ids are often sequential. */
  static int hash(String userId, String sessionId) {
    int h = userId.hashCode() * 31 + sessionId.hashCode();
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  @Override
  int tallyCapacity() {
    return 2;
  }
}
