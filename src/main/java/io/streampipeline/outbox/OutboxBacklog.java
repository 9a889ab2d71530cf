package io.streampipeline.outbox;

import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what the outbox has not sent yet, per topic, as {@code stream_pipeline_outbox_pending{topic}} and
 * {@code stream_pipeline_outbox_oldest_seconds{topic}}; NaN while the store cannot be read, since an unknown figure
 * is better than a stale one (an outage of PostgreSQL has alerts of its own). That it cannot be read is logged once
 * per outage.
 */
final class OutboxBacklog {
  private static final Logger log = LoggerFactory.getLogger(OutboxBacklog.class);

  private final OutboxStore store;
  private final PipelineMetrics metrics;
  private final String aggregatedTopic;
  private final String dlqTopic;
  private boolean failing;

  OutboxBacklog(OutboxStore store, PipelineMetrics metrics, String aggregatedTopic, String dlqTopic) {
    this.store = store;
    this.metrics = metrics;
    this.aggregatedTopic = aggregatedTopic;
    this.dlqTopic = dlqTopic;
  }

  /** Reads the backlog once and sets the gauges; never fails. */
  Future<Void> read() {
    return store.backlog().transform(done -> {
      if (done.failed()) {
        metrics.outboxBacklog(aggregatedTopic, Double.NaN, Double.NaN);
        metrics.outboxBacklog(dlqTopic, Double.NaN, Double.NaN);
        if (!failing) {
          failing = true;
          log.warn("outbox backlog: cannot read it ({}); its gauges show NaN until PostgreSQL answers",
              done.cause().toString());
        }
        return Future.succeededFuture();
      }
      failing = false;
      OutboxStore.Backlog backlog = done.result();
      metrics.outboxBacklog(aggregatedTopic, backlog.windowsPending(), backlog.windowsOldest());
      metrics.outboxBacklog(dlqTopic, backlog.deadLettersPending(), backlog.deadLettersOldest());
      return Future.succeededFuture();
    });
  }
}
