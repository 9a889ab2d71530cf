package io.streampipeline.alt.ks;

/**
 * The running figures of one window or session, as Kafka Streams keeps them in its state store: the counts of a
 * window row, the users seen (for unique_users; sessions have one user and skip it) and the full product and
 * category tallies (the top lists are taken from them when the window closes). The tallies are {@link Tally}s,
 * kept in their serialized form, because the store deserializes and serializes the aggregate on every event.
 */
final class WindowAggregate {
  /** Five counts and the users flag. */
  private static final int HEADER_BYTES = 5 * 8 + 1;

  long eventCount;
  long pageViews;
  long addToCarts;
  long purchases;
  long revenueCents;
  /** Null for sessions: their unique_users is 1 by definition, and the tally would only cost bytes. */
  Tally users;
  Tally products = new Tally();
  Tally categories = new Tally();

  static WindowAggregate tumbling() {
    WindowAggregate a = new WindowAggregate();
    a.users = new Tally();
    return a;
  }

  static WindowAggregate session() {
    return new WindowAggregate();
  }

  long uniqueUsers() {
    return users == null ? 1 : users.size();
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
      users.add(e.userId(), 1);
    }
    if (e.productId() != null) {
      products.add(e.productId(), 1);
    }
    if (e.productCategory() != null) {
      categories.add(e.productCategory(), 1);
    }
    return this;
  }

  /** Two sessions of one key that an event has bridged become one (Kafka Streams' session merger). */
  static WindowAggregate merge(WindowAggregate a, WindowAggregate b) {
    // Kafka Streams merges every event's session into a fresh, empty aggregate first: the stored session is then
    // taken as it is, not copied tally by tally.
    if (a.eventCount == 0) {
      return b;
    }
    a.eventCount += b.eventCount;
    a.pageViews += b.pageViews;
    a.addToCarts += b.addToCarts;
    a.purchases += b.purchases;
    a.revenueCents += b.revenueCents;
    if (b.users != null) {
      if (a.users == null) {
        a.users = new Tally();
      }
      a.users.addAll(b.users);
    }
    a.products.addAll(b.products);
    a.categories.addAll(b.categories);
    return a;
  }

  byte[] toBytes() {
    Binary.Out out = new Binary.Out(HEADER_BYTES + (users == null ? 0 : users.serializedSize()) + products.serializedSize()
        + categories.serializedSize());
    out.writeLong(eventCount);
    out.writeLong(pageViews);
    out.writeLong(addToCarts);
    out.writeLong(purchases);
    out.writeLong(revenueCents);
    out.writeByte(users == null ? 0 : 1);
    if (users != null) {
      users.writeTo(out);
    }
    products.writeTo(out);
    categories.writeTo(out);
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
    if (in.readByte() != 0) {
      a.users = Tally.readFrom(in);
    }
    a.products = Tally.readFrom(in);
    a.categories = Tally.readFrom(in);
    return a;
  }
}
