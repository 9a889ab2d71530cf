package io.streampipeline.alt.ks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.event.EventType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregate survives the store's byte round trip, and merging two sessions adds their tallies. */
class WindowAggregateTest {

  @Test
  void roundTripKeepsCountsUsersAndTallies() {
    WindowAggregate a = WindowAggregate.tumbling();
    a.add(event("u1", EventType.PAGE_VIEW, "p1", "shoes", 0));
    a = WindowAggregate.fromBytes(a.toBytes());
    a.add(event("u2", EventType.PURCHASE, "p1", "shoes", 700));
    a = WindowAggregate.fromBytes(a.toBytes());
    a.add(event("u1", EventType.ADD_TO_CART, "p2", null, 0));
    WindowAggregate back = WindowAggregate.fromBytes(a.toBytes());

    assertEquals(3, back.eventCount);
    assertEquals(1, back.pageViews);
    assertEquals(1, back.purchases);
    assertEquals(1, back.addToCarts);
    assertEquals(700, back.revenueCents);
    assertEquals(2, back.uniqueUsers());
    assertEquals(List.of(Map.entry("p1", 2L), Map.entry("p2", 1L)), back.products.ranked());
    assertEquals(List.of(Map.entry("shoes", 2L)), back.categories.ranked());
  }

  @Test
  void mergedSessionsAddTheirTallies() {
    WindowAggregate a = WindowAggregate.session().add(event("u1", EventType.PAGE_VIEW, "p2", "hats", 0));
    WindowAggregate b = WindowAggregate.session().add(event("u1", EventType.PAGE_VIEW, "p1", "hats", 0))
        .add(event("u1", EventType.PAGE_VIEW, "p2", "hats", 0));
    WindowAggregate m = WindowAggregate.fromBytes(WindowAggregate.merge(a, b).toBytes());

    assertEquals(3, m.eventCount);
    assertEquals(1, m.uniqueUsers());
    assertEquals(List.of(Map.entry("p2", 2L), Map.entry("p1", 1L)), m.products.ranked());
    assertEquals(List.of(Map.entry("hats", 3L)), m.categories.ranked());
  }

  private static WindowEvent event(String user, EventType type, String product, String category, long revenue) {
    return new WindowEvent(0, type, 1_000L, user, "s1", product, category, revenue);
  }
}
