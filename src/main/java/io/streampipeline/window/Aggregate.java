package io.streampipeline.window;

import io.streampipeline.event.ClickstreamEvent;

/**
 * The counters shared by tumbling windows and sessions. Tallies are created on first use. A new counter is also
 * listed in {@link WindowFields#COUNTS}, which the stored state follows.
 */
abstract class Aggregate {
  long eventCount;
  long pageViews;
  long addToCarts;
  long purchases;
  long revenueCents;
  CountMap products;
  CountMap categories;

  /** Initial capacity of the product and category tallies. */
  abstract int tallyCapacity();

  final void count(ClickstreamEvent e, long revenue) {
    eventCount++;
    switch (e.eventType()) {
      case PAGE_VIEW -> pageViews++;
      case ADD_TO_CART -> addToCarts++;
      case PURCHASE -> purchases++;
      default -> {
      }
    }
    revenueCents += revenue;
    String product = e.productId();
    if (product != null) {
      if (products == null) {
        products = new CountMap(tallyCapacity());
      }
      products.add(product, 1);
    }
    String category = e.productCategory();
    if (category != null) {
      if (categories == null) {
        categories = new CountMap(tallyCapacity());
      }
      categories.add(category, 1);
    }
  }
}
