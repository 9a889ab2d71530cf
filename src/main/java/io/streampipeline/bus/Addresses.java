package io.streampipeline.bus;

/** Event-bus addresses. A lane is one Kafka consumer with its own window and sink verticles. */
public final class Addresses {
  /** Closed windows once committed, published as JSON (AggregatedMetrics field names) for local listeners. */
  public static final String WINDOWS_CLOSED = "pipeline.windows.closed";
  /** A checkpoint committed: the outbox publisher should look for rows to send. */
  public static final String OUTBOX_READY = "pipeline.outbox.ready";
  /** Live figures pushed to browsers once a second (JSON). */
  public static final String DASHBOARD_STATS = "dashboard.stats";

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
