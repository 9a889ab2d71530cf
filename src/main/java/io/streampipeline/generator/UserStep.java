package io.streampipeline.generator;

/**
 * How one event moves its user on: session and when it was last seen, last page and product, and the cart
 * (a product added, or the slot of one removed; -1 for none).
 */
record UserStep(String sessionId, long seenMs, String pageUrl, int product, int addedProduct,
    int removedSlot) {
  void applyTo(ShopUser user) {
    if (addedProduct >= 0) {
      user.addToCart(addedProduct);
    }
    if (removedSlot >= 0) {
      user.removeFromCart(removedSlot);
    }
    user.sessionId = sessionId;
    user.lastSeenMs = seenMs;
    user.lastPageUrl = pageUrl;
    if (product >= 0) {
      user.lastProduct = product;
    }
  }
}
