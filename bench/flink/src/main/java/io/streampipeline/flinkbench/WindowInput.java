package io.streampipeline.flinkbench;

/**
 * What a window needs of an event, and no more: the windows run behind a keyBy, so every field here is
 * serialized across the network stack once per window kind. The event time itself travels as the record's
 * Flink timestamp and is also kept here for the session bounds.
 */
public class WindowInput {
  public int partition;
  public long timestamp;
  public String userId;
  public String sessionId;
  public String eventType;
  public String productId;
  public String productCategory;
  public long revenueCents;

  public WindowInput() {
  }

  static WindowInput of(EventRow e) {
    WindowInput in = new WindowInput();
    in.partition = e.partition;
    in.timestamp = e.timestamp;
    in.userId = e.userId;
    in.sessionId = e.sessionId;
    in.eventType = e.eventType;
    in.productId = e.productId;
    in.productCategory = e.productCategory;
    in.revenueCents = e.revenueCents;
    return in;
  }
}
