package io.streampipeline.window;

/**
 * One session of (userId, sessionId): its first and last event time and counts. Kept small because up to
 * hundreds of thousands are open at once. Its stored fields are described in {@link WindowFields}.
 */
public final class Session extends Aggregate {
  final String userId;
  final String sessionId;
  final int hash;
  long first;
  long last;
  /** The {@code last} this session was queued with for expiry; only the queue changes it. */
  long queuedLast;
  /** What {@link io.streampipeline.window.state.WindowChanges} noted about this session; not part of its data. */
  private long changeMark;

  Session(String userId, String sessionId, int hash, long ts) {
    this.userId = userId;
    this.sessionId = sessionId;
    this.hash = hash;
    this.first = ts;
    this.last = ts;
  }

  /** A session of this key whose span and counts are then read from stored state. */
  public Session(String userId, String sessionId) {
    this(userId, sessionId, hash(userId, sessionId), 0);
  }

  public long changeMark() {
    return changeMark;
  }

  public void changeMark(long mark) {
    changeMark = mark;
  }

  public String userId() {
    return userId;
  }

  public String sessionId() {
    return sessionId;
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
