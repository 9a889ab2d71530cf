package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import io.streampipeline.it.support.Db;
import io.streampipeline.it.support.TestInfra;
import io.streampipeline.sink.EventColumns;
import io.streampipeline.sink.SinkSql;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A row PostgreSQL refuses would be a dead letter after its event was already counted in windows and had moved the
 * watermark. The rules make that impossible for the table the migrations create: this test reads every constraint
 * of clickstream_events from the catalog of the real database (column types and lengths, NOT NULL, CHECK and other
 * table constraints) and proves, constraint by constraint, that {@link EventRules} rejects every event that would
 * violate it, and that PostgreSQL accepts the events the rules pass at each limit, through the sink's own INSERT.
 * A migration that adds a constraint or a column fails this test until the rules cover it.
 */
class EventTableConstraintsIT {
  /** Four bytes in UTF-8, two chars in Java, one character for PostgreSQL and for the rules. */
  private static final String ASTRAL = "\uD83D\uDE00";
  /** Set by the pipeline from the event (enrich), never from free text: their types are checked below. */
  private static final Set<String> DERIVED = Set.of("revenue_cents", "event_hour", "is_mobile");
  /** Not written by the sink: PostgreSQL fills it. */
  private static final Set<String> DATABASE_FILLED = Set.of("ingested_at");
  /** The Java type each event field has, and so the SQL types that hold every value of it. */
  private static final Map<String, Set<String>> HOLDS_EVERY_VALUE = Map.of(
      "event_timestamp_ms", Set.of("bigint"),
      "price_cents", Set.of("bigint"),
      "quantity", Set.of("integer", "bigint"),
      "revenue_cents", Set.of("bigint"),
      "event_hour", Set.of("smallint", "integer", "bigint"),
      "is_mobile", Set.of("boolean"));

  private Vertx vertx;
  private Pool pool;
  private Db db;

  @BeforeEach
  void connect() {
    TestInfra infra = TestInfra.get();
    String database = infra.createDatabase();
    db = new Db(infra, database);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(infra.pgConnectOptions(database))
        .using(vertx).build();
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private record Column(String name, String type, Integer maxLength, boolean notNull, String defaultValue) {
  }

  private List<Column> columns() {
    List<Column> columns = new ArrayList<>();
    db.rows("SELECT column_name, data_type, character_maximum_length, is_nullable, column_default "
        + "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = "
        + "'clickstream_events' ORDER BY ordinal_position").forEach(r -> columns.add(new Column(
            (String) r.get("column_name"), (String) r.get("data_type"),
            r.get("character_maximum_length") == null ? null : ((Number) r.get("character_maximum_length")).intValue(),
            "NO".equals(r.get("is_nullable")), (String) r.get("column_default"))));
    assertTrue(columns.size() > 10, "the table is there: " + columns);
    return columns;
  }

  private static ClickstreamEvent valid(String id) {
    return new ClickstreamEvent(id, EventType.PAGE_VIEW, 1_790_000_000_000L, "user_1",
        "00000000-0000-4000-8000-000000000001", null, null, null, null, null, "https://shop.example/", null,
        "Mozilla/5.0", "192.0.2.9", "DE", null);
  }

  /** The event with one column's field set, as the decoder could produce it. */
  private static ClickstreamEvent with(ClickstreamEvent e, String column, Object v) {
    return new ClickstreamEvent(
        column.equals("event_id") ? (String) v : e.eventId(),
        column.equals("event_type") ? (EventType) v : e.eventType(),
        e.timestamp(),
        column.equals("user_id") ? (String) v : e.userId(),
        column.equals("session_id") ? (String) v : e.sessionId(),
        column.equals("product_id") ? (String) v : e.productId(),
        column.equals("product_category") ? (String) v : e.productCategory(),
        column.equals("price_cents") ? (Long) v : e.priceCents(),
        column.equals("quantity") ? (Integer) v : e.quantity(),
        column.equals("search_query") ? (String) v : e.searchQuery(),
        column.equals("page_url") ? (String) v : e.pageUrl(),
        column.equals("referrer") ? (String) v : e.referrer(),
        column.equals("user_agent") ? (String) v : e.userAgent(),
        column.equals("ip_address") ? (String) v : e.ipAddress(),
        column.equals("geo_country") ? (String) v : e.geoCountry(),
        column.equals("geo_city") ? (String) v : e.geoCity());
  }

  private static boolean isStringField(String column) {
    return Set.of("event_id", "user_id", "session_id", "product_id", "product_category", "search_query", "page_url",
        "referrer", "user_agent", "ip_address", "geo_country", "geo_city").contains(column);
  }

  private static EventColumnLimits limitOf(String column) {
    for (EventColumnLimits limit : EventColumnLimits.values()) {
      if (limit.column().equals(column)) {
        return limit;
      }
    }
    return null;
  }

  private static String rejected(ClickstreamEvent e) {
    return EventRules.invalidReason(e);
  }

  private void insert(List<ClickstreamEvent> events) throws Exception {
    List<EnrichedEvent> rows = new ArrayList<>();
    for (ClickstreamEvent e : events) {
      rows.add(EventRules.enrich(EventRules.normalize(e), 0, rows.size()));
    }
    pool.preparedQuery(SinkSql.INSERT_EVENTS).execute(EventColumns.of(rows)).await(30, TimeUnit.SECONDS);
  }

  @Test
  void theTableHasNoConstraintBesidesTheOnesTheRulesCover() {
    Set<String> uncovered = new TreeSet<>();
    db.rows("SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint "
        + "WHERE conrelid = 'clickstream_events'::regclass").forEach(r -> {
          String type = String.valueOf(r.get("contype"));
          String def = (String) r.get("def");
          // NOT NULL (listed here by newer PostgreSQL versions) is read per column below. The primary key refuses
          // nothing: a repeated event_id is written with ON CONFLICT DO NOTHING, and the dedup ring counts it once.
          if (type.equals("n") || (type.equals("p") && def.equals("PRIMARY KEY (event_id)"))) {
            return;
          }
          uncovered.add(r.get("conname") + ": " + def);
        });
    assertEquals(Set.of(), uncovered, "constraints of clickstream_events the rules do not check");
    assertEquals(0, db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'clickstream_events'::regclass "
        + "AND NOT tgisinternal"), "a trigger could refuse rows the rules cannot know of");
  }

  @Test
  void everyColumnsTypeLengthAndNotNullIsCheckedByTheRules() throws Exception {
    List<ClickstreamEvent> atTheLimits = new ArrayList<>();
    int n = 0;
    for (Column c : columns()) {
      String column = c.name();
      if (DATABASE_FILLED.contains(column)) {
        assertNotNull(c.defaultValue(), column + " is not written by the sink, so it needs a default");
        assertTrue(!SinkSql.INSERT_EVENTS.contains(column), column + " is written by the sink");
        continue;
      }
      assertTrue(SinkSql.INSERT_EVENTS.contains(column), "column " + column + " is not known to the sink or here");
      if (HOLDS_EVERY_VALUE.containsKey(column)) {
        assertTrue(HOLDS_EVERY_VALUE.get(column).contains(c.type()),
            column + " is " + c.type() + ": it does not hold every value the event or enrichment can give it");
        continue;
      }
      if (DERIVED.contains(column)) {
        fail("derived column " + column + " has no type check");
      }
      if (column.equals("event_type")) {
        assertEquals("character varying", c.type());
        for (EventType type : EventType.values()) {
          assertTrue(type.wireName().length() <= c.maxLength(), type.wireName() + " fits event_type");
        }
        assertNotNull(rejected(with(valid("t"), "event_type", null)), "an event without a type");
        continue;
      }
      assertTrue(isStringField(column), "column " + column + " (" + c.type() + ") is not covered by this test");
      assertTrue(Set.of("character varying", "text").contains(c.type()), column + " is " + c.type());
      // PostgreSQL refuses NUL in any text value.
      assertNotNull(rejected(with(valid("nul"), column, "a\0b")), "NUL in " + column);
      if (c.notNull()) {
        // Rejected, or normalized into a value PostgreSQL takes (geo_country: UNKNOWN).
        ClickstreamEvent without = with(valid(UUID.randomUUID().toString()), column, null);
        if (rejected(without) == null) {
          insert(List.of(without));
        }
      }
      if (c.maxLength() != null) {
        EventColumnLimits limit = limitOf(column);
        assertNotNull(limit, column + " is VARCHAR(" + c.maxLength() + ") but EventColumnLimits has no limit for it");
        assertEquals((int) c.maxLength(), limit.maxLength(), "the limit of " + column);
        int max = c.maxLength();
        assertNotNull(rejected(with(valid("long"), column, ASTRAL.repeat(max + 1))),
            column + " longer than VARCHAR(" + max + ") in characters");
        assertNotNull(rejected(with(valid("long"), column, "x".repeat(max + 1))), column + " too long");
        ClickstreamEvent longest = with(valid(UUID.randomUUID().toString()), column, ASTRAL.repeat(max));
        assertNull(rejected(longest), column + " at its limit is valid");
        atTheLimits.add(longest);
        // The other side: PostgreSQL really refuses one character more, counted as the rules count.
        String tooLong = ASTRAL.repeat(max + 1);
        ClickstreamEvent refused = with(valid(UUID.randomUUID().toString()), column, tooLong);
        Exception refusal = assertThrows(Exception.class, () -> insert(List.of(refused)),
            column + " one character over its limit");
        assertTrue(String.valueOf(refusal.getMessage()).contains("too long"), refusal.toString());
      }
      n++;
    }
    assertTrue(n >= 12, n + " text columns checked");

    // Numbers at their extremes, an event with every optional field set, and one with none.
    atTheLimits.add(new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PURCHASE, Long.MAX_VALUE, "u", "s",
        "p", "c", Long.MAX_VALUE, 1, "q", "https://shop.example/", "https://ref.example/", "Mozilla/5.0",
        "2001:db8::1", "de", "Berlin"));
    atTheLimits.add(new ClickstreamEvent(UUID.randomUUID().toString(), EventType.PURCHASE, 1, "u", "s", null, null,
        1L, Integer.MAX_VALUE, null, "https://shop.example/", null, "Mozilla/5.0", "192.0.2.1", " ", null));
    atTheLimits.add(valid(UUID.randomUUID().toString()));
    for (ClickstreamEvent e : atTheLimits) {
      assertNull(rejected(e), e.toString());
    }
    long before = db.count("SELECT count(*) FROM clickstream_events");
    insert(atTheLimits);
    assertEquals(before + atTheLimits.size(), db.count("SELECT count(*) FROM clickstream_events"));
  }

  @Test
  void anEventWithoutARequiredFieldIsADeadLetterNotAnError() {
    Map<String, Object> missing = new HashMap<>();
    for (String column : List.of("event_id", "user_id", "session_id", "page_url", "user_agent", "ip_address")) {
      missing.put(column, rejected(with(valid("m"), column, null)));
    }
    missing.put("event_type", rejected(with(valid("m"), "event_type", null)));
    missing.forEach((column, reason) -> assertNotNull(reason, column));
  }
}
