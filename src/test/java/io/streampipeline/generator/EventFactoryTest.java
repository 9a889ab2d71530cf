package io.streampipeline.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.EventType;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.ingest.EventRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventFactoryTest {
  private static final int N = 100_000;
  private static final long START_MS = 1_717_200_000_000L;
  private static final long THIRTY_MINUTES = 1_800_000L;
  private static final double ERROR_RATE = 0.02;

  /** One stream of N messages, 10 ms of event time apart, shared by the tests that only read it. */
  private static final List<GeneratedMessage> stream = new ArrayList<>(N);
  private static final Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);

  @BeforeAll
  static void generate() {
    EventFactory factory = new EventFactory(42L, 1000, 500, THIRTY_MINUTES, ERROR_RATE);
    for (int i = 0; i < N; i++) {
      GeneratedMessage m = factory.next(START_MS + i * 10L);
      stream.add(m);
      kinds.merge(m.kind(), 1, Integer::sum);
    }
  }

  private static double share(Kind kind) {
    return kinds.getOrDefault(kind, 0) / (double) N;
  }

  @Test
  void sameSeedGivesIdenticalBytes() {
    EventFactory a = new EventFactory(7L, 300, 100, THIRTY_MINUTES, 0.1);
    EventFactory b = new EventFactory(7L, 300, 100, THIRTY_MINUTES, 0.1);
    EventFactory other = new EventFactory(8L, 300, 100, THIRTY_MINUTES, 0.1);
    int differences = 0;
    for (int i = 0; i < 20_000; i++) {
      long ts = START_MS + i * 37L;
      GeneratedMessage x = a.next(ts);
      GeneratedMessage y = b.next(ts);
      assertEquals(x.key(), y.key());
      assertArrayEquals(x.value(), y.value(), "message " + i);
      assertEquals(x.kind(), y.kind());
      if (!Arrays.equals(x.value(), other.next(ts).value())) {
        differences++;
      }
    }
    assertTrue(differences > 19_000, "another seed gives another stream");
  }

  @Test
  void kindsFollowTheConfiguredMix() {
    double bad = ERROR_RATE;
    assertEquals(bad * (1 - EventFactory.UNDECODABLE_SHARE), share(Kind.INVALID), 0.002);
    assertEquals(bad * EventFactory.UNDECODABLE_SHARE, share(Kind.UNDECODABLE), 0.0015);
    assertEquals((1 - bad) * EventFactory.BOT_SHARE, share(Kind.BOT), 0.0015);
    assertEquals((1 - bad) * (1 - EventFactory.BOT_SHARE), share(Kind.VALID), 0.004);
  }

  @Test
  void humanEventTypesFollowTheFunnel() {
    Map<EventType, Integer> types = new EnumMap<>(EventType.class);
    int valid = 0;
    for (GeneratedMessage m : stream) {
      if (m.kind() == Kind.VALID) {
        valid++;
        types.merge(m.event().eventType(), 1, Integer::sum);
      }
    }
    Map<EventType, Double> expected = Map.of(EventType.PAGE_VIEW, 0.50, EventType.SEARCH, 0.15,
        EventType.ADD_TO_CART, 0.15, EventType.WISHLIST, 0.07, EventType.REMOVE_FROM_CART, 0.06,
        EventType.PURCHASE, 0.07);
    for (Map.Entry<EventType, Double> e : expected.entrySet()) {
      assertEquals(e.getValue(), types.getOrDefault(e.getKey(), 0) / (double) valid, 0.006, e.getKey().wireName());
    }
  }

  @Test
  void aboutOneInTwentyValidMessagesIsSchemaless() {
    int valid = 0;
    int schemaless = 0;
    for (GeneratedMessage m : stream) {
      boolean singleObject = m.value().length >= 2 && m.value()[0] == (byte) 0xC3 && m.value()[1] == 0x01;
      if (m.kind() == Kind.VALID) {
        valid++;
        if (!singleObject) {
          schemaless++;
        }
      } else if (m.kind() == Kind.BOT || m.kind() == Kind.INVALID) {
        assertTrue(singleObject, "only valid messages are sent schemaless");
      }
    }
    assertEquals(EventFactory.SCHEMALESS_SHARE, schemaless / (double) valid, 0.005);
  }

  @Test
  void validAndBotMessagesDecodeToTheirEventAndPassTheRules() throws DecodeException {
    ClickstreamCodec codec = new ClickstreamCodec();
    for (GeneratedMessage m : stream) {
      if (m.kind() == Kind.VALID || m.kind() == Kind.BOT) {
        ClickstreamEvent decoded = codec.decode(m.value());
        assertEquals(m.event(), decoded);
        assertNull(EventRules.invalidReason(decoded), () -> "valid: " + decoded);
        assertEquals(m.kind() == Kind.BOT, EventRules.isBot(decoded.userAgent()), decoded.userAgent());
        assertEquals(decoded.userId(), m.key());
        if (decoded.eventType() == EventType.PURCHASE) {
          assertTrue(decoded.priceCents() > 0);
          assertTrue(decoded.quantity() >= 1 && decoded.quantity() <= 3);
        }
      }
    }
  }

  @Test
  void invalidMessagesDecodeAndBreakEachRule() throws DecodeException {
    ClickstreamCodec codec = new ClickstreamCodec();
    Set<String> reasons = new HashSet<>();
    for (GeneratedMessage m : stream) {
      if (m.kind() == Kind.INVALID) {
        ClickstreamEvent decoded = codec.decode(m.value());
        assertEquals(m.event(), decoded);
        String reason = EventRules.invalidReason(decoded);
        assertNotNull(reason, () -> "should be invalid: " + decoded);
        reasons.add(reason.replaceAll(" -?\\d+.*| \\(.*", ""));
        assertTrue(m.key().startsWith("user_") && m.key().length() == 11, "keyed by the real user: " + m.key());
      }
    }
    assertEquals(Set.of("purchase with negative price_cents", "purchase with non-positive quantity",
        "empty event_id", "empty user_id", "empty session_id", "empty page_url", "timestamp must be positive, was",
        "user_id longer than", "NUL character in page_url", "NUL character in geo_city"), reasons);
  }

  @Test
  void undecodableMessagesFailToDecodeInEachWay() {
    ClickstreamCodec codec = new ClickstreamCodec();
    int truncated = 0;
    int unknownFingerprint = 0;
    int notSingleObject = 0;
    int json = 0;
    for (GeneratedMessage m : stream) {
      if (m.kind() == Kind.UNDECODABLE) {
        assertNull(m.event());
        assertTrue(m.key().startsWith("user_"));
        DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(m.value()));
        String reason = e.getMessage();
        if (reason.startsWith("unknown schema fingerprint")) {
          unknownFingerprint++;
        } else if (m.value().length >= 2 && m.value()[0] == (byte) 0xC3 && m.value()[1] == 0x01) {
          assertTrue(reason.startsWith("truncated"), reason);
          truncated++;
        } else {
          notSingleObject++;
          if (m.value()[0] == '{') {
            json++;
          }
        }
      }
    }
    assertTrue(truncated > 50, "truncated: " + truncated);
    assertTrue(unknownFingerprint > 50, "unknown fingerprint: " + unknownFingerprint);
    assertTrue(json > 20 && notSingleObject - json > 20, "JSON " + json + ", random " + (notSingleObject - json));
  }

  @Test
  void botsAreBotsWithStableAgents() {
    Map<String, String> agentByUser = new HashMap<>();
    Set<String> botUsers = new HashSet<>();
    Set<String> botAgents = new HashSet<>();
    for (GeneratedMessage m : stream) {
      if (m.kind() == Kind.VALID || m.kind() == Kind.BOT) {
        ClickstreamEvent e = m.event();
        String previous = agentByUser.putIfAbsent(e.userId(), e.userAgent());
        assertTrue(previous == null || previous.equals(e.userAgent()), "stable agent for " + e.userId());
        if (m.kind() == Kind.BOT) {
          botUsers.add(e.userId());
          botAgents.add(e.userAgent());
        }
      }
    }
    assertEquals(10, botUsers.size(), "1% of 1000 users");
    assertTrue(botAgents.size() >= 4, botAgents.toString());
    long mobile = agentByUser.values().stream().filter(EventRules::isMobile).count();
    assertTrue(mobile > agentByUser.size() / 3 && mobile < agentByUser.size() * 2 / 3, "mobile users: " + mobile);
  }

  @Test
  void catalogueIsFixedAndIdsLookRight() {
    Map<String, String> categoryByProduct = new HashMap<>();
    Map<String, Long> priceByProduct = new HashMap<>();
    Set<String> eventIds = new HashSet<>();
    for (GeneratedMessage m : stream) {
      if (m.kind() != Kind.VALID) {
        continue;
      }
      ClickstreamEvent e = m.event();
      assertTrue(eventIds.add(e.eventId()), "unique event ids");
      assertEquals(e.eventId(), UUID.fromString(e.eventId()).toString());
      assertEquals(4, UUID.fromString(e.sessionId()).version());
      assertTrue(e.userId().matches("user_\\d{6}"), e.userId());
      assertTrue(e.ipAddress().matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"), e.ipAddress());
      assertTrue(e.pageUrl().startsWith("https://shop.example.com/"), e.pageUrl());
      if (e.productId() != null) {
        assertTrue(e.productId().matches("prod_\\d{5}"), e.productId());
        String category = categoryByProduct.putIfAbsent(e.productId(), e.productCategory());
        assertTrue(category == null || category.equals(e.productCategory()), "fixed category");
        if (e.priceCents() != null) {
          Long price = priceByProduct.putIfAbsent(e.productId(), e.priceCents());
          assertTrue(price == null || price.equals(e.priceCents()), "fixed price");
        }
      }
    }
    assertTrue(categoryByProduct.size() > 400, "most of the 500 products appear: " + categoryByProduct.size());
    assertEquals(10, new HashSet<>(categoryByProduct.values()).size());
    // The catalogue is the shop's, not the traffic's: another seed sees the same products.
    EventFactory otherSeed = new EventFactory(99L, 1000, 500, THIRTY_MINUTES, 0);
    int checked = 0;
    for (int i = 0; i < 5_000; i++) {
      ClickstreamEvent e = otherSeed.next(START_MS + i).event();
      if (e != null && e.priceCents() != null && priceByProduct.containsKey(e.productId())) {
        assertEquals(priceByProduct.get(e.productId()), e.priceCents());
        checked++;
      }
    }
    assertTrue(checked > 100);
  }

  @Test
  void cartEventsMostlyReferToCartedProducts() {
    Map<String, List<String>> carts = new HashMap<>();
    int fromCart = 0;
    int total = 0;
    for (GeneratedMessage m : stream) {
      if (m.kind() != Kind.VALID) {
        continue;
      }
      ClickstreamEvent e = m.event();
      List<String> cart = carts.computeIfAbsent(e.userId(), u -> new ArrayList<>());
      switch (e.eventType()) {
        case ADD_TO_CART -> cart.add(e.productId());
        case REMOVE_FROM_CART, PURCHASE -> {
          total++;
          if (cart.remove(e.productId())) {
            fromCart++;
          }
        }
        default -> { }
      }
    }
    assertTrue(fromCart > total * 0.8, fromCart + " of " + total);
  }

  @Test
  void fieldsNeedNormalizationSometimes() {
    int spacedQuery = 0;
    int upperQuery = 0;
    int sloppyCountry = 0;
    int emptyCountry = 0;
    int nonAsciiCity = 0;
    int internalReferrer = 0;
    for (GeneratedMessage m : stream) {
      if (m.kind() != Kind.VALID) {
        continue;
      }
      ClickstreamEvent e = m.event();
      String q = e.searchQuery();
      if (q != null && !q.equals(q.strip())) {
        spacedQuery++;
      }
      if (q != null && !q.equals(q.toLowerCase(Locale.ROOT))) {
        upperQuery++;
      }
      if (e.geoCountry().isEmpty()) {
        emptyCountry++;
      } else if (!e.geoCountry().equals(e.geoCountry().strip().toUpperCase(Locale.ROOT))) {
        sloppyCountry++;
      }
      if (e.geoCity() != null && !e.geoCity().chars().allMatch(c -> c < 128)) {
        nonAsciiCity++;
      }
      if (e.referrer() != null && e.referrer().startsWith("https://shop.example.com/")) {
        internalReferrer++;
      }
    }
    assertTrue(spacedQuery > 100 && upperQuery > 100, spacedQuery + " spaced, " + upperQuery + " upper-case");
    assertTrue(sloppyCountry > 1000 && emptyCountry > 500, sloppyCountry + " sloppy, " + emptyCountry + " empty");
    assertTrue(nonAsciiCity > 100, "non-ASCII cities: " + nonAsciiCity);
    assertTrue(internalReferrer > N / 2, "referrer is mostly the previous page: " + internalReferrer);
  }

  @Test
  void sessionContinuesWithinTheTimeoutAndRenewsAfterIt() {
    EventFactory factory = new EventFactory(3L, 1, 50, 1_000L, 0);
    String first = factory.next(10_000L).event().sessionId();
    assertEquals(first, factory.next(10_500L).event().sessionId());
    assertEquals(first, factory.next(11_500L).event().sessionId(), "a gap equal to the timeout continues");
    String second = factory.next(12_501L).event().sessionId();
    assertNotEquals(first, second, "a longer gap starts a new session");
    assertEquals(second, factory.next(12_502L).event().sessionId());
  }

  @Test
  void everyUserKeepsItsSessionUntilIdleLongerThanTheTimeout() {
    int users = 50;
    EventFactory factory = new EventFactory(5L, users, 50, 60_000L, 0);
    Map<String, String> sessions = new HashMap<>();
    long ts = START_MS;
    // 10 ms apart, every user comes back within seconds, far below the timeout.
    for (int i = 0; i < 5_000; i++, ts += 10) {
      ClickstreamEvent e = factory.next(ts).event();
      String previous = sessions.putIfAbsent(e.userId(), e.sessionId());
      assertTrue(previous == null || previous.equals(e.sessionId()), "continuous session for " + e.userId());
    }
    assertEquals(users, sessions.size());
    ts += 60_001L;
    Map<String, String> renewed = new HashMap<>();
    for (int i = 0; i < 5_000; i++, ts += 10) {
      ClickstreamEvent e = factory.next(ts).event();
      assertNotEquals(sessions.get(e.userId()), e.sessionId(), "new session after the gap");
      String previous = renewed.putIfAbsent(e.userId(), e.sessionId());
      assertTrue(previous == null || previous.equals(e.sessionId()));
    }
  }

  @Test
  void everyKindAppearsEvenWithFewUsers() {
    EventFactory factory = new EventFactory(11L, 2, 3, THIRTY_MINUTES, 0.05);
    Set<Kind> seen = new HashSet<>();
    for (int i = 0; i < 5_000; i++) {
      seen.add(factory.next(START_MS + i).kind());
    }
    assertEquals(Set.of(Kind.values()), seen);
  }

  @Test
  void noBadMessagesWithoutAnErrorRate() {
    EventFactory factory = new EventFactory(13L, 100, 10, THIRTY_MINUTES, 0);
    for (int i = 0; i < 10_000; i++) {
      Kind kind = factory.next(START_MS + i).kind();
      assertFalse(kind == Kind.INVALID || kind == Kind.UNDECODABLE);
    }
  }

  @Test
  void rejectsNonsenseArguments() {
    assertThrows(IllegalArgumentException.class, () -> new EventFactory(1, 0, 10, 1000, 0));
    assertThrows(IllegalArgumentException.class, () -> new EventFactory(1, 10, 0, 1000, 0));
    assertThrows(IllegalArgumentException.class, () -> new EventFactory(1, 10, 10, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new EventFactory(1, 10, 10, 1000, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new EventFactory(1, 10, 10, 1000, Double.NaN));
  }
}
