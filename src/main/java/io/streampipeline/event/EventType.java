package io.streampipeline.event;

/** The clickstream event types, in the order of the Avro enum symbols (the order is the wire format). */
public enum EventType {
  PAGE_VIEW("page_view"),
  ADD_TO_CART("add_to_cart"),
  REMOVE_FROM_CART("remove_from_cart"),
  PURCHASE("purchase"),
  SEARCH("search"),
  WISHLIST("wishlist");

  private static final EventType[] BY_INDEX = values();

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The Avro symbol, also the value stored in PostgreSQL and used as a metric tag. */
  public String wireName() {
    return wireName;
  }

  /** @return the type at that Avro enum index, or null when the index is out of range */
  public static EventType fromIndex(int index) {
    return index >= 0 && index < BY_INDEX.length ? BY_INDEX[index] : null;
  }

  public static EventType fromWireName(String name) {
    for (EventType type : BY_INDEX) {
      if (type.wireName.equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown event type: " + name);
  }
}
