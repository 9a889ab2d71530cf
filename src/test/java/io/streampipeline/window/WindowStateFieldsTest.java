package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;
import static io.streampipeline.window.TestEvents.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streampipeline.bus.StateWrite;
import io.streampipeline.bus.WindowType;
import io.streampipeline.window.state.StoredField;
import io.streampipeline.window.state.StoredFields;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every field of the window aggregates is in the stored state's one description ({@link WindowFields}), and every
 * field of every window type survives a snapshot, a delta and the restore copy. A counter added to the aggregates
 * and not to the description fails here: its distinct value is lost on the way.
 */
class WindowStateFieldsTest {
  private static final WindowSettings SETTINGS = new WindowSettings(MINUTE, 5 * MINUTE, 90 * SECOND, 10 * SECOND);

  /**
   * Fields the codecs write as the aggregate's key or rebuild, not through the description (see WindowFields), and
   * the change record's mark, which is bookkeeping of the state writes.
   */
  private static final Set<String> KEY_OR_REBUILT = Set.of("type", "start", "end", "users", "userId", "sessionId",
      "hash", "queuedLast", "changeMark");
  /** Rebuilt on restore rather than stored: not compared. */
  private static final Set<String> NOT_STORED = Set.of("queuedLast", "changeMark");

  @Test
  void everyFieldOfEachAggregateIsDescribedOrAKey() {
    assertEquals(fieldNames(OpenWindow.class), described(WindowFields.TUMBLING), "tumbling window fields");
    assertEquals(fieldNames(Session.class), described(WindowFields.SESSION), "session fields");
  }

  @Test
  void everyFieldOfEveryWindowTypeRoundTripsThroughASnapshot() {
    PartitionWindows live = stateWithEveryWindowType();
    setEveryField(live, 1_000);
    PartitionWindows restored = PartitionWindows.restore(0, SETTINGS, live.snapshot());
    assertSameAggregates(live, restored);
  }

  /**
   * A delta on a stored base: the windows and the session counted on since are updated in place by the restore
   * copy, so each field must be copied, not only written.
   */
  @Test
  void everyFieldOfEveryWindowTypeRoundTripsThroughADeltaAndTheRestoreCopy() {
    PartitionWindows live = stateWithEveryWindowType();
    setEveryField(live, 1_000);
    byte[] base = live.checkpointState(true).bytes();
    // Each window and open session is counted on (the delta carries only those), and a session opens.
    live.add(view("again", T0 + 2 * SECOND, "u1", "s1"));
    live.add(view("again-u3", T0 + 21 * SECOND, "u3", "s3"));
    live.add(view("other-user", T0 + 3 * SECOND, "u2", "s2"));
    setEveryField(live, 5_000);
    StateWrite delta = live.checkpointState(false);
    assertFalse(delta.full());
    PartitionWindows restored = PartitionWindows.restore(0, SETTINGS, base, List.of(delta.bytes()));
    assertSameAggregates(live, restored);
  }

  /** One open window of each tumbling type, an open session and a split-off one, with products and categories. */
  private static PartitionWindows stateWithEveryWindowType() {
    PartitionWindows pw = new PartitionWindows(0, SETTINGS);
    pw.add(TestEvents.event("e1").at(T0).user("u1").session("s1").product("p1", "books").build());
    pw.add(TestEvents.event("e2").at(T0 + SECOND).user("u3").session("s3").product("p2", "games").build());
    // u3/s3's next event is past the session timeout: the first session is split off, a second one opens.
    pw.add(TestEvents.event("e3").at(T0 + 20 * SECOND).user("u3").session("s3").build());
    return pw;
  }

  /** Every aggregate of the state, by window type; a window type without one fails the test. */
  private static Map<WindowType, List<Aggregate>> aggregates(PartitionWindows pw) {
    Map<WindowType, List<Aggregate>> all = new EnumMap<>(WindowType.class);
    for (WindowType type : WindowType.values()) {
      all.put(type, new ArrayList<>());
    }
    pw.stateView().openWindows().forEach(w -> all.get(w.type).add(w));
    List<Session> sessions = new ArrayList<>();
    pw.stateView().forEachOpenSession(sessions::add);
    sessions.sort((a, b) -> (a.userId + a.sessionId).compareTo(b.userId + b.sessionId));
    all.get(WindowType.SESSION_SUMMARY).addAll(sessions);
    all.get(WindowType.SESSION_SUMMARY).addAll(pw.stateView().splitOff());
    all.forEach((type, list) -> assertFalse(list.isEmpty(), "the test state has no " + type.wireName()));
    return all;
  }

  /** Gives every non-key field of every aggregate a distinct value, derived from {@code base}. */
  private static void setEveryField(PartitionWindows pw, long base) {
    long next = base;
    for (List<Aggregate> list : aggregates(pw).values()) {
      for (Aggregate a : list) {
        for (Field f : fields(a.getClass())) {
          if (KEY_OR_REBUILT.contains(f.getName())) {
            continue;
          }
          next += 7;
          try {
            if (f.getType() == long.class) {
              // A session's last is stored after its first: keep it later.
              f.setLong(a, f.getName().equals("last") ? ((Session) a).first + next : next);
            } else if (f.getType() == int.class) {
              f.setInt(a, (int) next);
            } else if (f.getType() == CountMap.class) {
              CountMap tally = new CountMap(4);
              tally.add(f.getName() + "-" + next, next);
              tally.add("shared", 1);
              f.set(a, tally);
            } else {
              fail("field " + f + " of a type this test cannot set: teach it the type");
            }
          } catch (IllegalAccessException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
  }

  private static void assertSameAggregates(PartitionWindows expected, PartitionWindows actual) {
    Map<WindowType, List<Aggregate>> want = aggregates(expected);
    Map<WindowType, List<Aggregate>> got = aggregates(actual);
    for (WindowType type : WindowType.values()) {
      assertEquals(want.get(type).size(), got.get(type).size(), type.wireName());
      for (int i = 0; i < want.get(type).size(); i++) {
        assertEquals(values(want.get(type).get(i)), values(got.get(type).get(i)), type.wireName() + " #" + i);
      }
    }
  }

  /** Every field's value, by name, in comparable form. */
  private static Map<String, Object> values(Aggregate a) {
    Map<String, Object> values = new TreeMap<>();
    for (Field f : fields(a.getClass())) {
      if (NOT_STORED.contains(f.getName())) {
        continue;
      }
      try {
        Object value = f.get(a);
        if (value instanceof CountMap tally) {
          Map<String, Long> entries = new TreeMap<>();
          tally.forEach(entries::put);
          value = entries;
        } else if (value instanceof NumberedStrings strings) {
          List<String> list = new ArrayList<>();
          for (int i = 0; i < strings.size(); i++) {
            list.add(strings.get(i));
          }
          value = list;
        }
        values.put(f.getName(), value);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    assertTrue(values.size() > 5, "fields found: " + values.keySet());
    return values;
  }

  /** The instance fields of the class and its superclasses up to Object, accessible. */
  private static List<Field> fields(Class<?> type) {
    List<Field> all = new ArrayList<>();
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
          f.setAccessible(true);
          all.add(f);
        }
      }
    }
    return all;
  }

  private static Set<String> fieldNames(Class<?> type) {
    Set<String> names = fields(type).stream().map(Field::getName).collect(Collectors.toCollection(TreeSet::new));
    names.removeAll(KEY_OR_REBUILT);
    return names;
  }

  private static Set<String> described(StoredFields<?> description) {
    return description.fields().stream().map(StoredField::name).collect(Collectors.toCollection(TreeSet::new));
  }
}
