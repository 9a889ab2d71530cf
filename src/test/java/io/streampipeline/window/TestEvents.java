package io.streampipeline.window;

import io.streampipeline.bus.WindowResult;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

/** Factories for stored events and helpers to compare window results in tests. */
final class TestEvents {
  /** 2023-11-14T22:15:00Z: a multiple of 5 minutes, so it starts a window of both tumbling types. */
  static final long T0 = 1_700_000_100_000L;
  static final long SECOND = 1_000L;
  static final long MINUTE = 60_000L;

  private TestEvents() {
  }

  static Builder event(String eventId) {
    return new Builder(eventId);
  }

  static EnrichedEvent view(String eventId, long ts, String userId, String sessionId) {
    return event(eventId).at(ts).user(userId).session(sessionId).build();
  }

  /** A fluent event with defaults: page_view of user u1 in session s1 on partition 0 at T0. */
  static final class Builder {
    private final String eventId;
    private EventType type = EventType.PAGE_VIEW;
    private long ts = T0;
    private String userId = "u1";
    private String sessionId = "s1";
    private String productId;
    private String category;
    private Long priceCents;
    private Integer quantity;
    private int partition;

    private Builder(String eventId) {
      this.eventId = eventId;
    }

    Builder type(EventType type) {
      this.type = type;
      return this;
    }

    Builder at(long ts) {
      this.ts = ts;
      return this;
    }

    Builder user(String userId) {
      this.userId = userId;
      return this;
    }

    Builder session(String sessionId) {
      this.sessionId = sessionId;
      return this;
    }

    Builder product(String productId, String category) {
      this.productId = productId;
      this.category = category;
      return this;
    }

    Builder purchase(long priceCents, int quantity) {
      this.type = EventType.PURCHASE;
      this.priceCents = priceCents;
      this.quantity = quantity;
      return this;
    }

    Builder partition(int partition) {
      this.partition = partition;
      return this;
    }

    EnrichedEvent build() {
      ClickstreamEvent e = new ClickstreamEvent(eventId, type, ts, userId, sessionId, productId, category,
          priceCents, quantity, null, "https://shop.example/p", null, "Mozilla/5.0", "10.0.0.1", "US", null);
      long revenue = type == EventType.PURCHASE ? priceCents * quantity : 0;
      int hour = Instant.ofEpochMilli(ts).atZone(ZoneOffset.UTC).getHour();
      return new EnrichedEvent(e, revenue, hour, false, partition, 0);
    }
  }

  /** Every field of a result, arrays by content, so results compare with equals. */
  static String describe(WindowResult r) {
    return r.type() + " " + r.windowId() + " [" + r.windowStart() + "," + r.windowEnd() + ") p" + r.partition()
        + " user=" + r.userId() + " session=" + r.sessionId() + " events=" + r.eventCount()
        + " users=" + r.uniqueUsers() + " views=" + r.pageViews() + " carts=" + r.addToCarts()
        + " purchases=" + r.purchases() + " revenue=" + r.totalRevenueCents() + " top=" + r.topProducts()
        + r.topCategories() + " products=" + Arrays.toString(r.productIds()) + Arrays.toString(r.productCounts())
        + " categories=" + Arrays.toString(r.categoryNames()) + Arrays.toString(r.categoryCounts())
        + " emitted=" + r.emittedAt();
  }
}
