package io.streampipeline.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streampipeline.app.Application;
import io.streampipeline.app.PipelineConfig;
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

  private static final String PROGRESS = "SELECT "
      + "(SELECT coalesce(sum(next_offset), 0) FROM pipeline_checkpoints WHERE consumer_group = ? AND topic = ?), "
      + "(SELECT count(*) FROM aggregated_metrics), "
      + "(SELECT count(*) FROM aggregated_metrics WHERE NOT published), "
      + "(SELECT count(*) FROM dead_letter_events WHERE NOT published)";

  /** Timings of the replay. */
  record Measurement(boolean complete, double startupSeconds, double secondsToLastRow, double seconds,
      double tailSeconds, long offsets, long windows, long heapBytes, long liveHeapBytes, long rssBytes,
      long otherRssBytes) {

    static Measurement incomplete(long offsets, long windows) {
      return new Measurement(false, 0, 0, 0, 0, offsets, windows, 0, 0, 0, 0);
    }

    Measurement withMemory(ResourceSampler s) {
      return new Measurement(complete, startupSeconds, secondsToLastRow, seconds, tailSeconds, offsets, windows,
          s.peakHeapBytes(), s.peakLiveHeapBytes(), s.peakRssBytes(), s.peakOtherRssBytes());
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
      FirstPoll firstPoll) throws SQLException, InterruptedException {
    long deadline = launched + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long lastRowAt = -1;
    long offsets = 0;
    long windows = 0;
    long lastLog = System.nanoTime();
    try (PreparedStatement progress = db.prepareStatement(PROGRESS)) {
      progress.setString(1, pipeline.consumerGroup());
      progress.setString(2, pipeline.clickstreamTopic());
      while (System.nanoTime() < deadline) {
        long unpublished;
        try (ResultSet rs = progress.executeQuery()) {
          rs.next();
          offsets = rs.getLong(1);
          windows = rs.getLong(2);
          unpublished = rs.getLong(3) + rs.getLong(4);
        }
        long now = System.nanoTime();
        if (offsets >= preload.events() && lastRowAt < 0) {
          lastRowAt = now;
        }
        if (lastRowAt > 0 && windows >= preload.expectedWindows() && unpublished == 0) {
          long first = firstPoll.atNanos() > 0 ? firstPoll.atNanos() : launched;
          result.put("first_poll_seen", firstPoll.exact());
          return new Measurement(true, (first - launched) / 1e9, (lastRowAt - first) / 1e9,
              (now - first) / 1e9, (now - lastRowAt) / 1e9, offsets, windows, 0, 0, 0, 0);
        }
        if (now - lastLog > TimeUnit.SECONDS.toNanos(PROGRESS_LOG_SECONDS)) {
          lastLog = now;
          log.info("bench: {} of {} records committed, {} of {} window rows, {} unpublished", offsets,
              preload.events(), windows, preload.expectedWindows(), unpublished);
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
  static JsonObject sinkFigures(Application app, Measurement replay) {
    MeterRegistry registry = app.metrics().registry();
    JsonObject sink = new JsonObject();
    Timer checkpoints = registry.find("stream_pipeline_checkpoint_duration").timer();
    if (checkpoints != null) {
      double busy = checkpoints.totalTime(TimeUnit.MILLISECONDS) / 1000.0;
      sink.put("checkpoints", checkpoints.count()).put("checkpoint_seconds_total", BenchReport.round3(busy))
          .put("checkpoint_ms_mean", BenchReport.round3(checkpoints.mean(TimeUnit.MILLISECONDS)))
          .put("checkpoint_ms_max", BenchReport.round3(checkpoints.max(TimeUnit.MILLISECONDS)));
      if (replay.complete()) {
        sink.put("busy_fraction_of_replay", BenchReport.round3(busy / replay.seconds()));
      }
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
    if (!exact) {
      log.warn("bench: tables differ from what was sent: {} rows (expected {}), {} dead letters (expected {}), "
              + "{} windows (expected {})", rows, preload.valid(), deadLetters,
          preload.invalid() + preload.undecodable(), windows, preload.expectedWindows());
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
