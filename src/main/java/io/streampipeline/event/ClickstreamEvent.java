package io.streampipeline.event;

/**
 * One clickstream event as it is on the wire (Avro ClickstreamEvent v1). Nullable fields are the Avro
 * unions with null; strings are already strict UTF-8 decoded.
 */
public record ClickstreamEvent(
    String eventId,
    EventType eventType,
    long timestamp,
    String userId,
    String sessionId,
    String productId,
    String productCategory,
    Long priceCents,
    Integer quantity,
    String searchQuery,
    String pageUrl,
    String referrer,
    String userAgent,
    String ipAddress,
    String geoCountry,
    String geoCity) {

  public ClickstreamEvent withNormalized(String normalizedCountry, String normalizedQuery) {
    return new ClickstreamEvent(eventId, eventType, timestamp, userId, sessionId, productId, productCategory,
        priceCents, quantity, normalizedQuery, pageUrl, referrer, userAgent, ipAddress, normalizedCountry, geoCity);
  }
}
