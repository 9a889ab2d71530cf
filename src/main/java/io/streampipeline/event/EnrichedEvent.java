package io.streampipeline.event;

/**
 * A valid, non-bot event after normalization and enrichment: what lands in clickstream_events and what the
 * windows count. {@code partition} and {@code offset} say where it was read.
 */
public record EnrichedEvent(
    ClickstreamEvent event,
    long revenueCents,
    int eventHour,
    boolean mobile,
    int partition,
    long offset) {
}
