package io.streampipeline.flinkbench;

import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;

/**
 * One stored event: the 19 columns the pipeline's sink writes into clickstream_events (sink/EventColumns), plus
 * the Kafka partition it came from, which the windows are keyed by. A Flink POJO (public fields, no-arg
 * constructor), so Flink serializes it field by field instead of falling back to Kryo.
 */
public class EventRow {
  public String eventId;
  public String eventType;
  public long timestamp;
  public String userId;
  public String sessionId;
  public String productId;
  public String productCategory;
  public Long priceCents;
  public Integer quantity;
  public long revenueCents;
  public String searchQuery;
  public String pageUrl;
  public String referrer;
  public String userAgent;
  public String ipAddress;
  public String geoCountry;
  public String geoCity;
  public short eventHour;
  public boolean mobile;
  public int partition;

  public EventRow() {
  }

  /** The same values the pipeline's EventColumns takes from an enriched event. */
  static EventRow of(EnrichedEvent enriched) {
    ClickstreamEvent e = enriched.event();
    EventRow row = new EventRow();
    row.eventId = e.eventId();
    row.eventType = e.eventType().wireName();
    row.timestamp = e.timestamp();
    row.userId = e.userId();
    row.sessionId = e.sessionId();
    row.productId = e.productId();
    row.productCategory = e.productCategory();
    row.priceCents = e.priceCents();
    row.quantity = e.quantity();
    row.revenueCents = enriched.revenueCents();
    row.searchQuery = e.searchQuery();
    row.pageUrl = e.pageUrl();
    row.referrer = e.referrer();
    row.userAgent = e.userAgent();
    row.ipAddress = e.ipAddress();
    row.geoCountry = e.geoCountry();
    row.geoCity = e.geoCity();
    row.eventHour = (short) enriched.eventHour();
    row.mobile = enriched.mobile();
    row.partition = enriched.partition();
    return row;
  }
}
