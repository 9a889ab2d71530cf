package io.streampipeline.generator;

/** A generated user: what stays the same (agent, address, place) and where it is in its visit. */
final class ShopUser {
  /** Products a cart holds; a full cart forgets its oldest item. */
  static final int CART_CAPACITY = 8;

  final String id;
  final boolean bot;
  final String userAgent;
  final String ipAddress;
  final int country;
  final String city;
  String sessionId;
  long lastSeenMs;
  String lastPageUrl;
  int lastProduct = -1;
  /** Product indices, oldest first; a full cart forgets its oldest item. */
  final int[] cart = new int[CART_CAPACITY];
  int cartSize;

  ShopUser(String id, boolean bot, String userAgent, String ipAddress, int country, String city) {
    this.id = id;
    this.bot = bot;
    this.userAgent = userAgent;
    this.ipAddress = ipAddress;
    this.country = country;
    this.city = city;
  }

  void addToCart(int product) {
    if (cartSize == CART_CAPACITY) {
      removeFromCart(0);
    }
    cart[cartSize++] = product;
  }

  void removeFromCart(int slot) {
    System.arraycopy(cart, slot + 1, cart, slot, cartSize - slot - 1);
    cartSize--;
  }
}
