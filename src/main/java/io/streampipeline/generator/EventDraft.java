package io.streampipeline.generator;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EventType;

/** The event being built; reused so that a fault can replace one field before the record is made. */
final class EventDraft {
  String eventId;
  EventType eventType;
  long timestamp;
  String userId;
  String sessionId;
  String productId;
  String productCategory;
  Long priceCents;
  Integer quantity;
  String searchQuery;
  String pageUrl;
  String referrer;
  String userAgent;
  String ipAddress;
  String geoCountry;
  String geoCity;

  ClickstreamEvent toEvent() {
    return new ClickstreamEvent(eventId, eventType, timestamp, userId, sessionId, productId, productCategory,
        priceCents, quantity, searchQuery, pageUrl, referrer, userAgent, ipAddress, geoCountry, geoCity);
  }
}
