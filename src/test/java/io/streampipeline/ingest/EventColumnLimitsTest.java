package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The column lengths the rules check and the ones the migrations in sql/migration declare are one list: a
 * VARCHAR(n) that the enum does not know, or knows with another n, would let PostgreSQL refuse a row the rules
 * passed.
 */
class EventColumnLimitsTest {
  private static final Pattern COLUMN =
      Pattern.compile("^\\s+([a-z_]+)\\s+(VARCHAR\\((\\d+)\\)|TEXT\\b|[A-Z]+)", Pattern.MULTILINE);
  /**
   * Limited in code but TEXT in the table: the limits bound memory per event. Whether the table should
   * enforce them too is a schema migration decision; until then they stay TEXT and this test says so.
   */
  private static final Set<String> TEXT_IN_SQL = Set.of("user_agent", "page_url", "referrer", "search_query");
  /** Filled from EventType's wire names by the decoder, never from free text. */
  private static final Set<String> NOT_FREE_TEXT = Set.of("event_type");

  /** The migration that creates the tables; a later one that changes a column type must be checked here too. */
  private static String baseline() {
    try (var in = EventColumnLimitsTest.class.getResourceAsStream("/sql/migration/V1__baseline.sql")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, String> columnsOf(String table) {
    String sql = baseline();
    int start = sql.indexOf("CREATE TABLE IF NOT EXISTS " + table + " (");
    assertTrue(start >= 0, "the baseline migration creates " + table);
    String body = sql.substring(start, sql.indexOf("\n);", start));
    Map<String, String> types = new HashMap<>();
    Matcher m = COLUMN.matcher(body);
    while (m.find()) {
      types.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
    }
    return types;
  }

  @Test
  void everyLimitMatchesItsColumnInSql() {
    Map<String, String> columns = columnsOf("clickstream_events");
    for (EventColumnLimits limit : EventColumnLimits.values()) {
      String type = columns.get(limit.column());
      if (TEXT_IN_SQL.contains(limit.column())) {
        assertEquals("TEXT", type, limit.column());
      } else {
        assertEquals(String.valueOf(limit.maxLength()), type, limit.column() + " is VARCHAR(n) with the same n");
      }
    }
  }

  @Test
  void everyVarcharColumnHasALimit() {
    Set<String> limited = new HashSet<>();
    for (EventColumnLimits limit : EventColumnLimits.values()) {
      limited.add(limit.column());
    }
    columnsOf("clickstream_events").forEach((column, type) -> {
      if (type.chars().allMatch(Character::isDigit) && !NOT_FREE_TEXT.contains(column)) {
        assertTrue(limited.contains(column), column + " VARCHAR(" + type + ") has no limit in EventColumnLimits");
      }
    });
    assertEquals(Set.of(), Set.copyOf(setMinus(TEXT_IN_SQL, limited)), "the TEXT columns named above are limited");
  }

  @Test
  void windowRowsCarryUserAndSessionIdsThatFit() {
    Map<String, String> columns = columnsOf("aggregated_metrics");
    assertEquals(String.valueOf(EventColumnLimits.USER_ID.maxLength()), columns.get("user_id"));
    assertEquals(String.valueOf(EventColumnLimits.SESSION_ID.maxLength()), columns.get("session_id"));
  }

  private static Set<String> setMinus(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.removeAll(b);
    return out;
  }
}
