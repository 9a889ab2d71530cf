package io.streampipeline.window;

import java.util.function.Consumer;

/**
 * The open sessions of a partition by (userId, sessionId): open addressing over Session references, so a
 * lookup allocates nothing and a session costs one array slot beyond itself.
 */
final class SessionTable {
  private Session[] slots = new Session[64];
  private int size;

  int size() {
    return size;
  }

  Session get(String userId, String sessionId, int hash) {
    Session[] table = slots;
    int mask = table.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      Session s = table[i];
      if (s == null) {
        return null;
      }
      if (s.hash == hash && s.userId.equals(userId) && s.sessionId.equals(sessionId)) {
        return s;
      }
    }
  }

  /** Whether {@code s} itself is open, rather than closed or replaced by a later session of its key. */
  boolean holds(Session s) {
    return get(s.userId, s.sessionId, s.hash) == s;
  }

  /** Adds a session whose key is not present. */
  void put(Session session) {
    if ((size + 1) * 3 > slots.length * 2) {
      grow();
    }
    place(slots, session);
    size++;
  }

  void remove(Session session) {
    Session[] table = slots;
    int mask = table.length - 1;
    int i = session.hash & mask;
    while (table[i] != session) {
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    int hole = i;
    for (int j = (hole + 1) & mask; table[j] != null; j = (j + 1) & mask) {
      int home = table[j].hash & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        table[hole] = table[j];
        hole = j;
      }
    }
    table[hole] = null;
    size--;
  }

  void forEach(Consumer<Session> action) {
    for (Session s : slots) {
      if (s != null) {
        action.accept(s);
      }
    }
  }

  private void grow() {
    Session[] bigger = new Session[slots.length * 2];
    for (Session s : slots) {
      if (s != null) {
        place(bigger, s);
      }
    }
    slots = bigger;
  }

  private static void place(Session[] table, Session session) {
    int mask = table.length - 1;
    int i = session.hash & mask;
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    table[i] = session;
  }
}
