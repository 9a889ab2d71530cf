package io.streampipeline.alt.ks;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.event.EventType;

/**
 * What the windows need of a stored event, and nothing more: this is what crosses the repartition topics, so the
 * full event (page_url, user_agent, ...) is not written to Kafka twice more.
 *
 * @param partition the partition of clickstream.events the event was read from (windows are per partition)
 * @param type the event type
 * @param timestamp event time, epoch ms
 * @param revenueCents price x quantity for purchases, else 0 (the pipeline's enrichment)
 */
record WindowEvent(int partition, EventType type, long timestamp, String userId, String sessionId,
    String productId, String productCategory, long revenueCents) {

  static WindowEvent of(EnrichedEvent e) {
    var event = e.event();
    return new WindowEvent(e.partition(), event.eventType(), event.timestamp(), event.userId(), event.sessionId(),
        event.productId(), event.productCategory(), e.revenueCents());
  }
}
