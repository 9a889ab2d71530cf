package io.streampipeline.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay measurement: waits until the pre-loaded records are all committed with their rows and every window
 * row is written and published, then checks that the tables hold exactly what the pre-load said they must. Adds
 * its figures to the bench's result. Blocking, on the bench's main thread.
 */
final class ReplayRun {
  private static final Logger log = LoggerFactory.getLogger(ReplayRun.class);
  /** How often PostgreSQL is asked for the progress: the resolution of the measurement. */
  static final long POLL_MS = 50;
  private static final long PROGRESS_LOG_SECONDS = 5;

  /** Polled until it covers every record: six primary-key rows, cheap for PostgreSQL. */
  static final String OFFSETS =
      "SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints WHERE consumer_group = ? AND topic = ?";
  /**
   * Polled only once the offsets are all committed (the windows tail): is anything left in the outbox (a window
   * still queued in aggregated_outbox, a dead letter unpublished)? The first one found answers it, where counting
   * them would read every one of them at every poll, competing with the outbox publisher the bench is waiting
   * for). Newest first: the index the question is answered from also holds the dead
   * entries of what was published before, oldest first.
   */
  private static final String UNPUBLISHED = "SELECT "
      + "(EXISTS (SELECT 1 FROM aggregated_outbox ORDER BY seq DESC LIMIT 1) "
      + "OR EXISTS (SELECT 1 FROM dead_letter_events WHERE NOT published ORDER BY id DESC LIMIT 1))::int";
  /**
   * All window rows: a scan of the table (77 ms with 280,000 session rows), so asked only when nothing is left
   * unpublished, and then at most every {@value #COUNT_WINDOWS_MS} ms or after new rows were seen unpublished.
   */
  private static final String WINDOWS = "SELECT count(*) FROM aggregated_metrics";
  private static final long COUNT_WINDOWS_MS = 250;

  /** When the replay started: the first processed record, in whichever pipeline process saw one first. */
  interface Start {
    /** System.nanoTime() of the first processed record, or -1 when it was not seen. */
    long atNanos();

    /** True when it was seen as it happened. */
    boolean exact();
  }

  /** Timings of the replay. */
  record Measurement(boolean complete, double startupSeconds, double secondsToLastRow, double seconds,
      double tailSeconds, long offsets, long windows, long heapBytes, long liveHeapBytes, long rssBytes) {

    static Measurement incomplete(long offsets, long windows) {
      return new Measurement(false, 0, 0, 0, 0, offsets, windows, 0, 0, 0);
    }

    Measurement withMemory(ResourceSampler s) {
      return new Measurement(complete, startupSeconds, secondsToLastRow, seconds, tailSeconds, offsets, windows,
          s.peakHeapBytes(), s.peakLiveHeapBytes(), s.peakRssBytes());
    }
  }

  private final JsonObject result;
  private final long timeoutSeconds;

  ReplayRun(JsonObject result, long timeoutSeconds) {
    this.result = result;
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Polls PostgreSQL every {@value #POLL_MS} ms: done when the committed offsets cover every pre-loaded record (so
   * every row is committed: offsets commit in the same transaction as their rows) and all expected window rows
   * exist and are published (dead letters too).
   */
  Measurement await(Connection db, PipelineConfig pipeline, Preload.Result preload, long launched,
      Start firstPoll) throws SQLException, InterruptedException {
    long deadline = launched + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long lastRowAt = -1;
    long offsets = 0;
    long windows = 0;
    long unpublished = -1;
    long lastLog = System.nanoTime();
    // Cheap questions instead of one dear one: counting aggregated_metrics and the unpublished rows every 50 ms
    // cost PostgreSQL ~1.8 s of CPU per 1M events (5.9 s with 200,000 users), which the bench would then report
    // as the pipeline's. The end is the same: all offsets committed AND all window rows written and published,
    // dead letters too.
    long windowsCountedAt = 0;
    boolean unpublishedSeen = false;
    try (PreparedStatement offsetsQuery = db.prepareStatement(OFFSETS);
        PreparedStatement unpublishedQuery = db.prepareStatement(UNPUBLISHED);
        PreparedStatement windowsQuery = db.prepareStatement(WINDOWS)) {
      offsetsQuery.setString(1, pipeline.kafka().consumerGroup());
      offsetsQuery.setString(2, pipeline.kafka().clickstreamTopic());
      while (System.nanoTime() < deadline) {
        if (lastRowAt < 0) {
          try (ResultSet rs = offsetsQuery.executeQuery()) {
            rs.next();
            offsets = rs.getLong(1);
          }
          if (offsets >= preload.events()) {
            lastRowAt = System.nanoTime();
          }
        }
        if (lastRowAt > 0) {
          // The count first, the unpublished rows after it: a row written between the two is then seen unpublished.
          long sinceCount = System.nanoTime() - windowsCountedAt;
          if (unpublished == 0 && windows < preload.expectedWindows()
              && (unpublishedSeen || sinceCount > TimeUnit.MILLISECONDS.toNanos(COUNT_WINDOWS_MS))) {
            try (ResultSet rs = windowsQuery.executeQuery()) {
              rs.next();
              windows = rs.getLong(1);
            }
            windowsCountedAt = System.nanoTime();
            unpublishedSeen = false;
          }
          try (ResultSet rs = unpublishedQuery.executeQuery()) {
            rs.next();
            unpublished = rs.getLong(1);
          }
          unpublishedSeen |= unpublished > 0;
        }
        long now = System.nanoTime();
        if (lastRowAt > 0 && windows >= preload.expectedWindows() && unpublished == 0) {
          long first = firstPoll.atNanos() > 0 ? firstPoll.atNanos() : launched;
          result.put("first_poll_seen", firstPoll.exact());
          return new Measurement(true, (first - launched) / 1e9, (lastRowAt - first) / 1e9,
              (now - first) / 1e9, (now - lastRowAt) / 1e9, offsets, windows, 0, 0, 0);
        }
        if (now - lastLog > TimeUnit.SECONDS.toNanos(PROGRESS_LOG_SECONDS)) {
          lastLog = now;
          if (lastRowAt < 0) {
            log.info("bench: {} of {} records committed", offsets, preload.events());
          } else {
            log.info("bench: all {} records committed, {} of {} window rows counted, {}", offsets,
                windows, preload.expectedWindows(), unpublished > 0 ? "some unpublished" : "all published");
          }
        }
        Thread.sleep(POLL_MS);
      }
    }
    log.error("bench: gave up after {} s: {} of {} records committed, {} of {} window rows", timeoutSeconds,
        offsets, preload.events(), windows, preload.expectedWindows());
    return Measurement.incomplete(offsets, windows);
  }

  /**
   * The sink's own meters over the replay: checkpoints (transactions), their total time (busy close to the
   * replay time means one lane's sink, which runs one transaction at a time, is the limit) and the window
   * state written with them.
   */
  static JsonObject sinkFigures(BenchedPipeline app, Measurement replay) {
    return withBusyFraction(sinkMeters(app.metrics().registry()), replay);
  }

  /** Adds the share of the replay the sink was in a checkpoint (one process's meters). */
  static JsonObject withBusyFraction(JsonObject sink, Measurement replay) {
    if (replay.complete() && sink.containsKey("checkpoint_seconds_total")) {
      sink.put("busy_fraction_of_replay",
          BenchReport.round3(sink.getDouble("checkpoint_seconds_total") / replay.seconds()));
    }
    return sink;
  }

  /** The sink's meters of one process (also what a {@link PipelineChild} reports). */
  static JsonObject sinkMeters(MeterRegistry registry) {
    JsonObject sink = new JsonObject();
    Timer checkpoints = registry.find("stream_pipeline_checkpoint_duration").timer();
    if (checkpoints != null) {
      double busy = checkpoints.totalTime(TimeUnit.MILLISECONDS) / 1000.0;
      sink.put("checkpoints", checkpoints.count()).put("checkpoint_seconds_total", BenchReport.round3(busy))
          .put("checkpoint_ms_mean", BenchReport.round3(checkpoints.mean(TimeUnit.MILLISECONDS)))
          .put("checkpoint_ms_max", BenchReport.round3(checkpoints.max(TimeUnit.MILLISECONDS)));
    }
    DistributionSummary state = registry.find("stream_pipeline_checkpoint_state_bytes").summary();
    if (state != null) {
      sink.put("state_mb_written", BenchReport.round3(state.totalAmount() / (1 << 20)))
          .put("state_kb_per_checkpoint_mean", Math.round(state.mean() / 1024));
    }
    DistributionSummary batch = registry.find("stream_pipeline_sink_batch_size").summary();
    if (batch != null) {
      sink.put("events_per_checkpoint_mean", Math.round(batch.mean()))
          .put("events_per_checkpoint_max", Math.round(batch.max()));
    }
    return sink;
  }

  /** Untimed: the tables hold exactly what the pre-load said they must. */
  void verify(Connection db, Preload.Result preload) throws SQLException {
    long rows = count(db, "SELECT count(*) FROM clickstream_events");
    long deadLetters = count(db, "SELECT count(*) FROM dead_letter_events");
    long windows = count(db, "SELECT count(*) FROM aggregated_metrics");
    boolean exact = rows == preload.valid() && deadLetters == preload.invalid() + preload.undecodable()
        && windows == preload.expectedWindows();
    result.put("verified", exact);
    result.put("rows", rows);
    result.put("dead_letters", deadLetters);
    result.put("windows", windows);
    result.put("digests", new JsonObject().put("rows", text(db, ROWS_DIGEST))
        .put("dead_letters", text(db, DEAD_LETTERS_DIGEST)).put("windows", text(db, WINDOWS_DIGEST)));
    if (!exact) {
      log.warn("bench: tables differ from what was sent: {} rows (expected {}), {} dead letters (expected {}), "
              + "{} windows (expected {})", rows, preload.valid(), deadLetters,
          preload.invalid() + preload.undecodable(), windows, preload.expectedWindows());
    }
  }

  /**
   * Untimed, after {@link #verify}: every window and dead letter the tables hold is on its topic
   * ({@link TopicCheck}). Adds "topics" to the result; "verified" stays true only if none is missing or extra.
   */
  void verifyTopics(Endpoints endpoints, Connection db, String aggregatedTopic, String dlqTopic) throws SQLException {
    TopicCheck.Result windows = TopicCheck.check(endpoints, aggregatedTopic, db, TopicCheck.WINDOW_KEYS);
    TopicCheck.Result deadLetters = TopicCheck.check(endpoints, dlqTopic, db, TopicCheck.DEAD_LETTER_KEYS);
    result.put("topics", new JsonObject().put("aggregated", windows.toJson()).put("dlq", deadLetters.toJson()));
    result.put("verified", result.getBoolean("verified", false) && windows.exact() && deadLetters.exact());
    if (!windows.exact() || !deadLetters.exact()) {
      log.warn("bench: the topics differ from the tables: aggregated {}, dlq {}", windows.toJson().encode(),
          deadLetters.toJson().encode());
    }
  }

  /*
   * Digests of the stored contents, equal in two runs of the same events exactly when they stored the same data
   * (whatever the number of processes, lanes or rebalances): md5 of the rows' md5s in key order, over every
   * column the events determine; not the times of processing (ingested_at, failed_at, emitted_at, created_at),
   * the outbox flags, or the topic's name (new each run). The tally arrays are compared as sorted id=count lists.
   */
  static final String ROWS_DIGEST = "SELECT coalesce(md5(string_agg(md5((event_id, event_type, "
      + "event_timestamp_ms, user_id, session_id, product_id, product_category, price_cents, quantity, revenue_cents, "
      + "search_query, page_url, referrer, user_agent, ip_address, geo_country, geo_city, event_hour, is_mobile)::text), "
      + "'' ORDER BY event_id)), '') FROM clickstream_events";
  static final String DEAD_LETTERS_DIGEST = "SELECT coalesce(md5(string_agg(md5((source_partition, "
      + "source_offset, error_reason, original_payload, payload_encoding)::text), '' "
      + "ORDER BY source_partition, source_offset)), '') FROM dead_letter_events";
  static final String WINDOWS_DIGEST = "SELECT coalesce(md5(string_agg(md5((window_id, window_type, "
      + "window_start, window_end, source_partition, user_id, session_id, event_count, unique_users, page_views, "
      + "add_to_carts, purchases, total_revenue_cents, top_products, top_categories, "
      + "(SELECT string_agg(i || '=' || n, ',' ORDER BY i) FROM unnest(product_ids, product_counts) AS u(i, n)), "
      + "(SELECT string_agg(c || '=' || n, ',' ORDER BY c) FROM unnest(category_names, category_counts) AS u(c, n))"
      + ")::text), '' ORDER BY window_id)), '') FROM aggregated_metrics";

  static String text(Connection db, String sql) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  static long count(Connection db, String sql) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
