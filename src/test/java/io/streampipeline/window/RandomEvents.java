package io.streampipeline.window;

import static io.streampipeline.window.TestEvents.MINUTE;
import static io.streampipeline.window.TestEvents.SECOND;
import static io.streampipeline.window.TestEvents.T0;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reproducible, deliberately awkward event sequence: 25 users with two sessions each, mostly ascending
 * time with occasional long gaps (session splits and expiries), 10% out of order by up to 40 s (some late),
 * 5% re-sent events (duplicates), products and categories sometimes missing.
 */
final class RandomEvents {
  private static final EventType[] TYPES = EventType.values();

  private RandomEvents() {
  }

  static List<EnrichedEvent> generate(long seed, int count, int partition) {
    Random r = new Random(seed);
    List<EnrichedEvent> out = new ArrayList<>(count);
    long clock = T0;
    for (int i = 0; i < count; i++) {
      if (!out.isEmpty() && r.nextInt(20) == 0) {
        out.add(out.get(out.size() - 1 - r.nextInt(Math.min(50, out.size()))));
        continue;
      }
      clock += r.nextInt(100) == 0 ? r.nextInt((int) (4 * MINUTE)) : r.nextInt((int) (2 * SECOND));
      long ts = r.nextInt(10) == 0 ? clock - r.nextInt((int) (40 * SECOND)) : clock;
      String user = "u" + r.nextInt(25);
      EventType type = TYPES[r.nextInt(TYPES.length)];
      TestEvents.Builder e = TestEvents.event("ev-" + seed + "-" + i).at(ts).user(user)
          .session(user + "-s" + r.nextInt(2)).type(type).partition(partition);
      int productChoice = r.nextInt(8);
      if (productChoice < 6) {
        e.product("p" + r.nextInt(15), productChoice == 0 ? null : "c" + r.nextInt(5));
      } else if (productChoice == 6) {
        e.product(null, "c" + r.nextInt(5));
      }
      if (type == EventType.PURCHASE || r.nextInt(8) == 0) {
        e.purchase(r.nextInt(10_000), 1 + r.nextInt(3));
      }
      out.add(e.build());
    }
    return out;
  }
}
