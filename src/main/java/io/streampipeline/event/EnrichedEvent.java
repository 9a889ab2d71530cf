package io.streampipeline.event;

/**
 * A valid, non-bot event after normalization and enrichment: what lands in clickstream_events and what the
 * windows count. {@code partition} and {@code offset} say where it was read; {@code original} holds the bytes
 * read there (null where an event was built in code), so a row PostgreSQL refuses reaches the DLQ as it came;
 * {@code replayOf} is the first dead letter id when it was read from a replay (so a row PostgreSQL refuses again
 * is linked), else null.
 */
public record EnrichedEvent(
    ClickstreamEvent event,
    long revenueCents,
    int eventHour,
    boolean mobile,
    int partition,
    long offset,
    byte[] original,
    Long replayOf) {

  public EnrichedEvent(ClickstreamEvent event, long revenueCents, int eventHour, boolean mobile, int partition,
      long offset) {
    this(event, revenueCents, eventHour, mobile, partition, offset, null, null);
  }

  /** The same event, read from a replay of dead letter {@code firstDeadLetterId}. */
  public EnrichedEvent replayOf(long firstDeadLetterId) {
    return new EnrichedEvent(event, revenueCents, eventHour, mobile, partition, offset, original,
        firstDeadLetterId);
  }
}
