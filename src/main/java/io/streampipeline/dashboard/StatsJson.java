package io.streampipeline.dashboard;

import io.streampipeline.bus.WindowType;
import io.streampipeline.dashboard.DashboardState.HourTotals;
import io.streampipeline.dashboard.GlobalWindow.Ranked;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The JSON of /api/stats, also pushed to browsers on {@code dashboard.stats} every second. Keys are
 * snake_case like the SQL columns; times are epoch milliseconds; a figure not known yet is null.
 *
 * <pre>
 * {"generated_at", "window_seconds": {"events_per_minute", "revenue_per_5min"},
 *  "totals": {"events_stored", "dead_letters", "counted_at",
 *             "last_hour": {"from", "to", "windows", "events", "page_views", "add_to_carts", "purchases",
 *                           "revenue_cents"}},
 *  "rates": {"events_in_per_second", "events_processed_per_second", "dead_letters_per_minute",
 *            "dead_letter_ratio", "late_events_per_minute"},
 *  "unique_users": {"events_per_minute", "revenue_per_5min"},
 *  "funnel": {"page_views", "add_to_carts", "purchases", "cart_rate", "purchase_rate"},
 *  "latest": {"events_per_minute": window|null, "revenue_per_5min": window|null},
 *  "series": {"events_per_minute": [window...], "revenue_per_5min": [window...]},
 *  "top": {"from", "to", "products": [{"id", "count"}], "categories": [{"id", "count"}]},
 *  "open_window": {"window_start", "window_end", "events_stored", "purchases", "revenue_cents"} | null,
 *  "pipeline": {"lanes": {"count", "members": [{"client_id", "lane", "partitions"}]}, "checkpoints": {"0":
 *               {"next_offset", "updated_at"}, ...}, "checkpoint_ms", "dead_letter_reasons": [{"reason", "count"}]},
 *  "lag": {"group", "total", "partitions": {"0": n, ...}}}
 * </pre>
 *
 * A window is {"window_type", "window_start", "window_end", "event_count", "unique_users", "page_views",
 * "add_to_carts", "purchases", "total_revenue_cents", "partitions"} (the partials summed so far, as in the
 * aggregated_metrics_global view), plus "top_products" and "top_categories" in "latest".
 *
 * <p>Where figures come from: events_stored and dead_letters are row counts in PostgreSQL as of counted_at;
 * last_hour, funnel, unique_users and series come from the closed windows of the last hour
 * ({@link DashboardState}: last_hour and the funnel from the events_per_minute windows [from, to), revenue
 * included, so they agree with the table of those windows); top is exact, summed in PostgreSQL from every
 * partition's full tallies over the events_per_minute windows [top.from, top.to) (read every few seconds, so
 * its period is given); open_window is the not yet closed window after the newest closed one, as stored so
 * far (provisional: it grows until the window closes); pipeline comes from the consumer group (lanes),
 * pipeline_checkpoints, dead_letter_events (reasons of the last hour) and, when a lane runs here, the
 * checkpoint timer; events_in_per_second is the growth of the events topic's log end offsets over
 * about 10 s, events_processed_per_second that of the pipeline group's committed offsets over about 15 s;
 * dead_letters_per_minute and dead_letter_ratio (dead letters per message processed) cover about the last
 * minute; late_events_per_minute is null unless a lane runs in this process; lag is log end minus committed
 * offset per partition of the events topic.
 */
final class StatsJson {
  private StatsJson() {
  }

  /** What the dashboard knows right now. {@code latePerSecond} is null when no lane runs in this process. */
  record Inputs(long now, long eventsWindowMs, long revenueWindowMs, DashboardState state, KafkaProgress kafka,
      StoreCounters store, Double latePerSecond, SlowFacts facts) {
  }

  static JsonObject build(Inputs in) {
    DashboardState state = in.state();
    HourTotals hour = state.lastHour();
    GlobalWindow latestEvents = state.latest(WindowType.EVENTS_PER_MINUTE);
    GlobalWindow latestRevenue = state.latest(WindowType.REVENUE_PER_5MIN);
    return new JsonObject()
        .put("generated_at", in.now())
        .put("window_seconds", new JsonObject()
            .put("events_per_minute", in.eventsWindowMs() / 1000.0)
            .put("revenue_per_5min", in.revenueWindowMs() / 1000.0))
        .put("totals", new JsonObject()
            .put("events_stored", in.store().events())
            .put("dead_letters", in.store().deadLetters())
            .put("counted_at", in.store().countedAt() == 0 ? null : in.store().countedAt())
            .put("last_hour", new JsonObject()
                .put("from", hour.windows() == 0 ? null : hour.from())
                .put("to", hour.windows() == 0 ? null : hour.to())
                .put("windows", hour.windows())
                .put("events", hour.events())
                .put("page_views", hour.pageViews())
                .put("add_to_carts", hour.addToCarts())
                .put("purchases", hour.purchases())
                .put("revenue_cents", hour.revenueCents())))
        .put("rates", rates(in))
        .put("unique_users", new JsonObject()
            .put("events_per_minute", latestEvents == null ? null : latestEvents.uniqueUsers())
            .put("revenue_per_5min", latestRevenue == null ? null : latestRevenue.uniqueUsers()))
        .put("funnel", new JsonObject()
            .put("page_views", hour.pageViews())
            .put("add_to_carts", hour.addToCarts())
            .put("purchases", hour.purchases())
            .put("cart_rate", ratio(hour.addToCarts(), hour.pageViews()))
            .put("purchase_rate", ratio(hour.purchases(), hour.addToCarts())))
        .put("latest", new JsonObject()
            .put("events_per_minute", latestEvents == null ? null : window(latestEvents, true))
            .put("revenue_per_5min", latestRevenue == null ? null : window(latestRevenue, true)))
        .put("series", new JsonObject()
            .put("events_per_minute", series(state.series(WindowType.EVENTS_PER_MINUTE)))
            .put("revenue_per_5min", series(state.series(WindowType.REVENUE_PER_5MIN))))
        .put("top", top(in.facts()))
        .put("open_window", in.facts().openWindow)
        .put("pipeline", new JsonObject()
            .put("lanes", in.facts().lanes)
            .put("checkpoints", in.facts().checkpoints)
            .put("checkpoint_ms", in.facts().checkpointMs)
            .put("dead_letter_reasons", in.facts().deadLetterReasons))
        .put("lag", lag(in.kafka()));
  }

  /** Exact lists from PostgreSQL once read; empty (and no period) before. */
  private static JsonObject top(SlowFacts facts) {
    return facts.top != null ? facts.top : new JsonObject().put("from", null).put("to", null)
        .put("products", new JsonArray()).put("categories", new JsonArray());
  }

  private static JsonObject rates(Inputs in) {
    Double deadLetters = in.store().deadLettersPerSecond();
    Double processedLastMinute = in.kafka().processedPerSecondLastMinute();
    return new JsonObject()
        .put("events_in_per_second", in.kafka().arrivingPerSecond())
        .put("events_processed_per_second", in.kafka().processedPerSecond())
        .put("dead_letters_per_minute", deadLetters == null ? null : deadLetters * 60)
        .put("dead_letter_ratio", deadLetters == null || processedLastMinute == null || processedLastMinute <= 0
            ? null : Math.min(1.0, deadLetters / processedLastMinute))
        .put("late_events_per_minute", in.latePerSecond() == null ? null : in.latePerSecond() * 60);
  }

  private static JsonObject lag(KafkaProgress kafka) {
    JsonObject partitions = new JsonObject();
    kafka.lag().forEach((p, lag) -> partitions.put(String.valueOf(p), lag));
    return new JsonObject().put("group", kafka.group()).put("total", kafka.totalLag()).put("partitions", partitions);
  }

  static JsonObject window(GlobalWindow w, boolean withTops) {
    JsonObject json = new JsonObject()
        .put("window_type", w.type().wireName())
        .put("window_start", w.windowStart())
        .put("window_end", w.windowEnd())
        .put("event_count", w.eventCount())
        .put("unique_users", w.uniqueUsers())
        .put("page_views", w.pageViews())
        .put("add_to_carts", w.addToCarts())
        .put("purchases", w.purchases())
        .put("total_revenue_cents", w.totalRevenueCents())
        .put("partitions", w.partitions());
    if (withTops) {
      json.put("top_products", ranked(w.topProducts())).put("top_categories", ranked(w.topCategories()));
    }
    return json;
  }

  private static JsonArray series(List<GlobalWindow> windows) {
    JsonArray array = new JsonArray();
    windows.forEach(w -> array.add(window(w, false)));
    return array;
  }

  private static JsonArray ranked(List<Ranked> items) {
    JsonArray array = new JsonArray();
    items.forEach(r -> array.add(new JsonObject().put("id", r.id()).put("count", r.count())));
    return array;
  }

  private static Double ratio(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }
}
