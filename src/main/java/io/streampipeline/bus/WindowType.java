package io.streampipeline.bus;

/** The three aggregations, in the order of the AggregatedMetrics Avro enum symbols. */
public enum WindowType {
  EVENTS_PER_MINUTE("events_per_minute"),
  REVENUE_PER_5MIN("revenue_per_5min"),
  SESSION_SUMMARY("session_summary");

  private final String wireName;

  WindowType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static WindowType fromWireName(String name) {
    for (WindowType type : values()) {
      if (type.wireName.equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown window type: " + name);
  }
}
