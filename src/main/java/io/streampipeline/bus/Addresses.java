package io.streampipeline.bus;

/** Event-bus addresses. A lane is one Kafka consumer with its own window and sink verticles. */
public final class Addresses {
  /** Closed windows once committed, published as JSON (AggregatedMetrics field names) for local listeners. */
  public static final String WINDOWS_CLOSED = "pipeline.windows.closed";
  /** A checkpoint committed: the outbox publisher should look for rows to send. */
  public static final String OUTBOX_READY = "pipeline.outbox.ready";
  /** Live figures pushed to browsers once a second (JSON). */
  public static final String DASHBOARD_STATS = "dashboard.stats";
  /**
   * Every closed window of every partition as read from clickstream.aggregated, as JSON with its window_id
   * (the fields of window.WindowJson), for clients of the bridges. At least once:
   * clients upsert by window_id.
   */
  public static final String LIVE_WINDOWS = "live.windows.closed";
  /** What clients outside the process may listen to, over SockJS and over TCP; they may send nothing. */
  public static final java.util.List<String> OUTBOUND = java.util.List.of(DASHBOARD_STATS, LIVE_WINDOWS);

  private Addresses() {
  }

  public static String laneWindow(int lane) {
    return "pipeline.lane." + lane + ".window";
  }

  public static String laneSink(int lane) {
    return "pipeline.lane." + lane + ".sink";
  }

  public static String laneIngest(int lane) {
    return "pipeline.lane." + lane + ".ingest";
  }
}
