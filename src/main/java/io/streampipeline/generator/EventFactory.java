package io.streampipeline.generator;

import static io.streampipeline.generator.ShopData.BOT_AGENTS;
import static io.streampipeline.generator.ShopData.CATEGORIES;
import static io.streampipeline.generator.ShopData.CITIES;
import static io.streampipeline.generator.ShopData.COUNTRY_SPELLINGS;

import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.generator.GeneratedMessage.Kind;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Makes a realistic, reproducible stream of clickstream Kafka messages, each labelled with what the pipeline
 * must do with it ({@link Kind}).
 *
 * <p><b>Determinism.</b> The same constructor arguments and the same sequence of timestamps passed to
 * {@link #next} give byte-identical messages (event and session ids come from the seeded generator too).
 * The product catalogue does not depend on the seed: every seed shops in the same store.
 *
 * <p><b>Population.</b> {@code numUsers} users {@code user_000000…}; each has a stable user agent, IPv4
 * address, country and city. About 1% of the users are bots (at least one when there are two or more users),
 * and they send {@link #BOT_SHARE} of the messages; among humans a fifth of the users (the regulars) send
 * about half of the traffic. {@code numProducts} products {@code prod_00000…}, each with one of ten
 * categories and a fixed price in cents; popularity is skewed towards low ids.
 *
 * <p><b>Mix.</b> A message is bad with probability {@code errorRate}: {@link Kind#INVALID} (decodes, breaks a
 * rule: negative purchase price, purchase quantity 0, empty event_id, user_id, session_id or page_url,
 * timestamp ≤ 0, user_id over 50 code points, NUL in page_url or geo_city — equally likely) or, for
 * {@link #UNDECODABLE_SHARE} of the bad ones, {@link Kind#UNDECODABLE} (truncated single-object message,
 * bytes that are not Avro, single-object header with an unknown fingerprint). Otherwise it is {@link Kind#BOT}
 * or {@link Kind#VALID}. Human events: page_view 50%, search 15%, add_to_cart 15%, wishlist 7%,
 * remove_from_cart 6%, purchase 7%; bots: page_view 80%, search 20%. Remove and purchase take a product
 * from the user's cart when it has one. Messages are single-object encoded, except {@link #SCHEMALESS_SHARE}
 * of the VALID ones, which are schemaless bodies. The key is always the user the message is about.
 *
 * <p><b>Sessions.</b> A user keeps its session_id while the event-time gap to its previous event is at most
 * {@code sessionTimeoutMs}; after a longer gap the next event starts a new session. Only VALID and BOT
 * messages move a user's state (session, cart, last page): the pipeline never sees the bad ones in its
 * sessions, so neither does the generator.
 *
 * <p>Not thread-safe. Memory grows with the users and products that have appeared.
 */
public final class EventFactory {
  /** Share of all messages sent by bot users (when there is a bot). */
  public static final double BOT_SHARE = 0.01;
  /** Share of VALID messages sent as schemaless Avro bodies instead of single-object encoding. */
  public static final double SCHEMALESS_SHARE = 0.05;
  /** Share of the bad messages that are undecodable; the rest are invalid. */
  public static final double UNDECODABLE_SHARE = 0.3;

  private static final long CATALOGUE_SEED = 0x5EED_CA7A_109EL;
  private static final long USER_SALT = 0x05E2_5A17_0000_0001L;
  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
  private static final String SEARCH_BLANK_URL = ShopData.SITE + "/search?q=";

  private static final WeightedTable<EventType> HUMAN_EVENTS = WeightedTable.<EventType>builder()
      .add(EventType.PAGE_VIEW, 50).add(EventType.SEARCH, 15).add(EventType.ADD_TO_CART, 15)
      .add(EventType.WISHLIST, 7).add(EventType.REMOVE_FROM_CART, 6).add(EventType.PURCHASE, 7).build();
  private static final WeightedTable<EventType> BOT_EVENTS = WeightedTable.<EventType>builder()
      .add(EventType.PAGE_VIEW, 80).add(EventType.SEARCH, 20).build();
  /** What a page view looks at. */
  private static final WeightedTable<Page> PAGES = WeightedTable.<Page>builder()
      .add(Page.PRODUCT, 60).add(Page.HOME, 15).add(Page.CATEGORY, 15).add(Page.CART, 5).add(Page.DEALS, 5).build();
  private static final WeightedTable<Integer> CART_QUANTITY = WeightedTable.<Integer>builder()
      .add(2, 1).add(1, 9).build();
  private static final WeightedTable<Integer> PURCHASE_QUANTITY = WeightedTable.<Integer>builder()
      .add(1, 7).add(2, 2).add(3, 1).build();
  private static final WeightedTable<Fault> FAULTS = WeightedTable.uniform(Fault.values());

  /** Schema-valid faults that the rules must catch. */
  private enum Fault {
    NEGATIVE_PRICE, ZERO_QUANTITY, EMPTY_EVENT_ID, EMPTY_USER_ID, EMPTY_SESSION_ID, EMPTY_PAGE_URL,
    NON_POSITIVE_TIMESTAMP, LONG_USER_ID, NUL_IN_PAGE_URL, NUL_IN_GEO_CITY
  }

  private enum Page {
    PRODUCT, HOME, CATEGORY, CART, DEALS
  }

  private final long seed;
  private final int numProducts;
  private final long sessionTimeoutMs;
  private final double errorRate;
  private final SplittableRandom random;
  private final int botCount;
  /** Bots sit at the end of each block of {@code botStride} user indices, so they are spread over all ids. */
  private final int botStride;
  private final int humanCount;
  private final LazyTable<ShopUser> users;
  private final LazyTable<ShopProduct> products;
  private final ClickstreamCodec codec = new ClickstreamCodec();
  private final EventDraft draft = new EventDraft();
  private final UndecodableMessages undecodableMessages;

  public EventFactory(long seed, int numUsers, int numProducts, long sessionTimeoutMs, double errorRate) {
    if (numUsers < 1 || numProducts < 1) {
      throw new IllegalArgumentException("need at least one user and one product, got " + numUsers + " and "
          + numProducts);
    }
    if (sessionTimeoutMs <= 0) {
      throw new IllegalArgumentException("sessionTimeoutMs must be positive, was " + sessionTimeoutMs);
    }
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be within [0, 1], was " + errorRate);
    }
    this.seed = seed;
    this.numProducts = numProducts;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.errorRate = errorRate;
    this.random = new SplittableRandom(seed);
    this.undecodableMessages = new UndecodableMessages(random, codec);
    this.botCount = numUsers >= 2 ? Math.max(1, numUsers / 100) : 0;
    this.botStride = botCount == 0 ? numUsers : numUsers / botCount;
    this.humanCount = numUsers - botCount;
    this.users = new LazyTable<>(numUsers, this::newUser);
    this.products = new LazyTable<>(numProducts, EventFactory::newProduct);
  }

  /**
   * The next message, for an event that happens at {@code timestampMs} (epoch ms, positive; non-decreasing
   * per user for sessions to behave as described). The caller supplies event time so that the same factory
   * serves live traffic and a replay that spans hours.
   */
  public GeneratedMessage next(long timestampMs) {
    ShopUser user = pickUser();
    if (errorRate > 0 && random.nextDouble() < errorRate) {
      return random.nextDouble() < UNDECODABLE_SHARE ? undecodable(user, timestampMs) : invalid(user, timestampMs);
    }
    fill(user, timestampMs, eventType(user)).applyTo(user);
    ClickstreamEvent event = draft.toEvent();
    if (user.bot) {
      return new GeneratedMessage(user.id, codec.encode(event), Kind.BOT, event);
    }
    byte[] value = random.nextDouble() < SCHEMALESS_SHARE ? codec.encodeSchemaless(event) : codec.encode(event);
    return new GeneratedMessage(user.id, value, Kind.VALID, event);
  }

  private ShopUser pickUser() {
    int index;
    if (botCount > 0 && random.nextDouble() < BOT_SHARE) {
      index = random.nextInt(botCount) * botStride + botStride - 1;
    } else {
      int k = random.nextInt(humanCount);
      if (random.nextBoolean()) {
        // Regulars: half of the human traffic comes from the first fifth of the users.
        k /= 5;
      }
      index = humanIndex(k);
    }
    return users.get(index);
  }

  /** The k-th human user's index: humans fill each bot block but its last slot, then the tail. */
  private int humanIndex(int k) {
    if (botCount == 0) {
      return k;
    }
    int perBlock = botStride - 1;
    int inBlocks = botCount * perBlock;
    return k < inBlocks ? (k / perBlock) * botStride + k % perBlock : botCount * botStride + (k - inBlocks);
  }

  private boolean isBotIndex(int index) {
    return botCount > 0 && index < botCount * botStride && index % botStride == botStride - 1;
  }

  private EventType eventType(ShopUser user) {
    return (user.bot ? BOT_EVENTS : HUMAN_EVENTS).pick(random);
  }

  /**
   * Fills {@link #draft} with a valid event of {@code type} for {@code user} and returns how the user's session,
   * cart and last page move on with it. The caller applies that step only to messages the pipeline will see as
   * events (valid ones and bots): a message it rejects leaves the user as it was.
   */
  private UserStep fill(ShopUser user, long ts, EventType type) {
    boolean newSession = user.sessionId == null || ts - user.lastSeenMs > sessionTimeoutMs;
    String sessionId = newSession ? uuid() : user.sessionId;
    EventDraft d = draft;
    d.eventId = uuid();
    d.eventType = type;
    d.timestamp = ts;
    d.userId = user.id;
    d.sessionId = sessionId;
    d.productId = null;
    d.productCategory = null;
    d.priceCents = null;
    d.quantity = null;
    d.searchQuery = null;
    d.userAgent = user.userAgent;
    d.ipAddress = user.ipAddress;
    ShopProduct product = null;
    int addedProduct = -1;
    int removedSlot = -1;
    switch (type) {
      case PAGE_VIEW -> product = pageView(d);
      case SEARCH -> search(d);
      case ADD_TO_CART -> {
        product = products.get(viewedOrPopular(user));
        productEvent(d, product, product.url());
        d.quantity = CART_QUANTITY.pick(random);
        addedProduct = product.index();
      }
      case WISHLIST -> {
        product = products.get(viewedOrPopular(user));
        productEvent(d, product, product.url());
      }
      case REMOVE_FROM_CART -> {
        int slot = user.cartSize > 0 ? random.nextInt(user.cartSize) : -1;
        product = products.get(slot >= 0 ? user.cart[slot] : popularProduct());
        productEvent(d, product, ShopData.CART_URL);
        removedSlot = slot;
      }
      case PURCHASE -> {
        // Mostly checking out the cart; an empty cart is a "buy now" of the product last looked at.
        int slot = user.cartSize > 0 ? random.nextInt(user.cartSize) : -1;
        product = products.get(slot >= 0 ? user.cart[slot] : viewedOrPopular(user));
        productEvent(d, product, ShopData.CHECKOUT_URL);
        d.quantity = PURCHASE_QUANTITY.pick(random);
        removedSlot = slot;
      }
      default -> throw new IllegalStateException("unhandled event type " + type);
    }
    if (user.bot) {
      d.referrer = null;
    } else if (newSession) {
      d.referrer = ShopData.EXTERNAL_REFERRERS[random.nextInt(ShopData.EXTERNAL_REFERRERS.length)];
    } else {
      d.referrer = user.lastPageUrl;
    }
    int spelling = random.nextInt(100);
    String[] countrySpellings = COUNTRY_SPELLINGS[user.country];
    if (spelling < 92) {
      d.geoCountry = countrySpellings[0];
      d.geoCity = user.city;
    } else if (spelling < 98) {
      // A sloppy client: lower-case or padded, for normalization to repair.
      d.geoCountry = countrySpellings[1 + spelling % 3];
      d.geoCity = user.city;
    } else {
      // Geo lookup failed: no country (normalized to UNKNOWN) and no city.
      d.geoCountry = "";
      d.geoCity = null;
    }
    return new UserStep(sessionId, newSession ? ts : Math.max(user.lastSeenMs, ts), d.pageUrl,
        product == null ? -1 : product.index(), addedProduct, removedSlot);
  }

  private ShopProduct pageView(EventDraft d) {
    switch (PAGES.pick(random)) {
      case PRODUCT -> {
        ShopProduct product = products.get(popularProduct());
        d.productId = product.id();
        d.productCategory = CATEGORIES[product.category()];
        d.pageUrl = product.url();
        return product;
      }
      case HOME -> d.pageUrl = ShopData.HOME_URL;
      case CATEGORY -> {
        int category = random.nextInt(CATEGORIES.length);
        d.productCategory = CATEGORIES[category];
        d.pageUrl = ShopData.CATEGORY_URLS[category];
      }
      case CART -> d.pageUrl = ShopData.CART_URL;
      case DEALS -> d.pageUrl = ShopData.DEALS_URL;
      default -> throw new IllegalStateException("unhandled page");
    }
    return null;
  }

  private void search(EventDraft d) {
    if (random.nextInt(100) == 0) {
      d.searchQuery = ShopData.BLANK_QUERY;
      d.pageUrl = SEARCH_BLANK_URL;
      return;
    }
    int term = random.nextInt(ShopData.SEARCH_SPELLINGS.length);
    d.searchQuery = ShopData.SEARCH_SPELLINGS[term][WeightedTable.index(ShopData.SEARCH_SPELLING_CUMULATIVE, random)];
    d.pageUrl = ShopData.SEARCH_URLS[term];
  }

  private static void productEvent(EventDraft d, ShopProduct product, String pageUrl) {
    d.productId = product.id();
    d.productCategory = CATEGORIES[product.category()];
    d.priceCents = product.priceCents();
    d.pageUrl = pageUrl;
  }

  /** Popularity falls with the id: the density of u² puts half of the views on the first quarter. */
  private int popularProduct() {
    double u = random.nextDouble();
    return (int) (u * u * numProducts);
  }

  private int viewedOrPopular(ShopUser user) {
    return user.lastProduct >= 0 && random.nextInt(10) < 7 ? user.lastProduct : popularProduct();
  }

  private GeneratedMessage invalid(ShopUser user, long ts) {
    Fault fault = FAULTS.pick(random);
    boolean purchaseFault = fault == Fault.NEGATIVE_PRICE || fault == Fault.ZERO_QUANTITY;
    fill(user, ts, purchaseFault ? EventType.PURCHASE : eventType(user));
    EventDraft d = draft;
    switch (fault) {
      case NEGATIVE_PRICE -> d.priceCents = -d.priceCents;
      case ZERO_QUANTITY -> d.quantity = 0;
      case EMPTY_EVENT_ID -> d.eventId = "";
      case EMPTY_USER_ID -> d.userId = "";
      case EMPTY_SESSION_ID -> d.sessionId = "";
      case EMPTY_PAGE_URL -> d.pageUrl = "";
      // Unset (0) or a sign bug.
      case NON_POSITIVE_TIMESTAMP -> d.timestamp = random.nextBoolean() ? 0L : -Math.max(1L, ts);
      case LONG_USER_ID -> d.userId = user.id + ':' + hexToken(48);
      case NUL_IN_PAGE_URL -> d.pageUrl = d.pageUrl + '\0';
      case NUL_IN_GEO_CITY -> d.geoCity = (d.geoCity == null ? CITIES[user.country][0] : d.geoCity) + '\0';
      default -> throw new IllegalStateException("unhandled fault " + fault);
    }
    ClickstreamEvent event = d.toEvent();
    return new GeneratedMessage(user.id, codec.encode(event), Kind.INVALID, event);
  }

  private GeneratedMessage undecodable(ShopUser user, long ts) {
    UndecodableMessages.Garbage garbage = undecodableMessages.pick();
    fill(user, ts, eventType(user));
    byte[] value = undecodableMessages.bytes(garbage, draft.toEvent());
    return new GeneratedMessage(user.id, value, Kind.UNDECODABLE, null);
  }


  private String hexToken(int length) {
    StringBuilder token = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      token.append(Character.forDigit(random.nextInt(16), 16));
    }
    return token.toString();
  }

  /** A version-4 UUID from the seeded generator (UUID.randomUUID() would break determinism). */
  private String uuid() {
    long msb = (random.nextLong() & 0xFFFF_FFFF_FFFF_0FFFL) | 0x0000_0000_0000_4000L;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  private ShopUser newUser(int index) {
    SplittableRandom r = new SplittableRandom(mix64(mix64(seed ^ USER_SALT) + GOLDEN_GAMMA * (index + 1L)));
    boolean bot = isBotIndex(index);
    String agent = bot ? BOT_AGENTS[r.nextInt(BOT_AGENTS.length)]
        : ShopData.HUMAN_AGENTS[WeightedTable.index(ShopData.HUMAN_AGENT_CUMULATIVE, r)];
    int country = WeightedTable.index(ShopData.COUNTRY_CUMULATIVE, r);
    String[] cities = CITIES[country];
    String city = r.nextInt(100) < 5 ? null : cities[r.nextInt(cities.length)];
    String ip = ShopData.PUBLIC_FIRST_OCTETS[r.nextInt(ShopData.PUBLIC_FIRST_OCTETS.length)] + "."
        + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    return new ShopUser(ShopData.paddedId("user_", index, 6), bot, agent, ip, country, city);
  }

  private static ShopProduct newProduct(int index) {
    SplittableRandom r = new SplittableRandom(mix64(CATALOGUE_SEED + GOLDEN_GAMMA * (index + 1L)));
    int category = r.nextInt(CATEGORIES.length);
    int min = ShopData.CATEGORY_MIN_PRICE[category];
    int units = min + r.nextInt(ShopData.CATEGORY_MAX_PRICE[category] - min + 1);
    String id = ShopData.paddedId("prod_", index, 5);
    return new ShopProduct(index, id, category, units * 100L - 1, ShopData.PRODUCT_URL_PREFIX + id);
  }

  /** Stafford's mix13: turns related seeds (index 1, 2, 3…) into unrelated ones. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
