package io.streampipeline.alt.ks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The running figures of one window or session, as Kafka Streams keeps them in its state store: the counts of a
 * window row, the users seen (for unique_users; sessions have one user and skip the set) and the full product and
 * category tallies (the top lists are taken from them when the window closes).
 */
final class WindowAggregate {
  long eventCount;
  long pageViews;
  long addToCarts;
  long purchases;
  long revenueCents;
  /** Null for sessions: their unique_users is 1 by definition, and the set would only cost serialization. */
  Set<String> users;
  final Map<String, Long> products = new HashMap<>();
  final Map<String, Long> categories = new HashMap<>();

  static WindowAggregate tumbling() {
    WindowAggregate a = new WindowAggregate();
    a.users = new HashSet<>();
    return a;
  }

  static WindowAggregate session() {
    return new WindowAggregate();
  }

  /** Counts one event, as the pipeline's window Aggregate does. */
  WindowAggregate add(WindowEvent e) {
    eventCount++;
    switch (e.type()) {
      case PAGE_VIEW -> pageViews++;
      case ADD_TO_CART -> addToCarts++;
      case PURCHASE -> purchases++;
      default -> {
      }
    }
    revenueCents += e.revenueCents();
    if (users != null) {
      users.add(e.userId());
    }
    if (e.productId() != null) {
      products.merge(e.productId(), 1L, Long::sum);
    }
    if (e.productCategory() != null) {
      categories.merge(e.productCategory(), 1L, Long::sum);
    }
    return this;
  }

  /** Two sessions of one key that an event has bridged become one (Kafka Streams' session merger). */
  static WindowAggregate merge(WindowAggregate a, WindowAggregate b) {
    WindowAggregate m = new WindowAggregate();
    m.eventCount = a.eventCount + b.eventCount;
    m.pageViews = a.pageViews + b.pageViews;
    m.addToCarts = a.addToCarts + b.addToCarts;
    m.purchases = a.purchases + b.purchases;
    m.revenueCents = a.revenueCents + b.revenueCents;
    if (a.users != null || b.users != null) {
      m.users = new HashSet<>();
      if (a.users != null) {
        m.users.addAll(a.users);
      }
      if (b.users != null) {
        m.users.addAll(b.users);
      }
    }
    m.products.putAll(a.products);
    b.products.forEach((k, v) -> m.products.merge(k, v, Long::sum));
    m.categories.putAll(a.categories);
    b.categories.forEach((k, v) -> m.categories.merge(k, v, Long::sum));
    return m;
  }

  /** The tally's entries by count descending, then id ascending (the pipeline's order of top lists). */
  static List<Map.Entry<String, Long>> ranked(Map<String, Long> tally) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(tally.entrySet());
    entries.sort((x, y) -> {
      int byCount = Long.compare(y.getValue(), x.getValue());
      return byCount != 0 ? byCount : x.getKey().compareTo(y.getKey());
    });
    return entries;
  }

  byte[] toBytes() {
    Binary.Out out = new Binary.Out(64 + 16 * (products.size() + categories.size() + (users == null ? 0 : users.size())));
    out.writeLong(eventCount);
    out.writeLong(pageViews);
    out.writeLong(addToCarts);
    out.writeLong(purchases);
    out.writeLong(revenueCents);
    out.writeInt(users == null ? -1 : users.size());
    if (users != null) {
      for (String u : users) {
        out.writeString(u);
      }
    }
    writeTally(out, products);
    writeTally(out, categories);
    return out.toByteArray();
  }

  static WindowAggregate fromBytes(byte[] data) {
    Binary.In in = new Binary.In(data);
    WindowAggregate a = new WindowAggregate();
    a.eventCount = in.readLong();
    a.pageViews = in.readLong();
    a.addToCarts = in.readLong();
    a.purchases = in.readLong();
    a.revenueCents = in.readLong();
    int userCount = in.readInt();
    if (userCount >= 0) {
      a.users = new HashSet<>(Math.max(16, userCount * 2));
      for (int i = 0; i < userCount; i++) {
        a.users.add(in.readString());
      }
    }
    readTally(in, a.products);
    readTally(in, a.categories);
    return a;
  }

  private static void writeTally(Binary.Out out, Map<String, Long> tally) {
    out.writeInt(tally.size());
    for (Map.Entry<String, Long> e : tally.entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue());
    }
  }

  private static void readTally(Binary.In in, Map<String, Long> tally) {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String key = in.readString();
      tally.put(key, in.readLong());
    }
  }
}
