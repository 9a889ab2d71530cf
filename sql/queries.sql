-- Example analytics over the pipeline's tables (psql -h 127.0.0.1 -p 5433 -U pipeline pipeline).

-- Events and revenue per type in the last hour of event time: from one hour before the end of the newest closed
-- minute (found backwards through aggregated_metrics' index; max(event_timestamp_ms) would read the whole events
-- table, whose time index is a BRIN). The time range itself is read through that BRIN index.
SELECT event_type, count(*) AS events, sum(revenue_cents) / 100.0 AS revenue
FROM clickstream_events
WHERE event_timestamp_ms >= (SELECT window_end FROM aggregated_metrics WHERE window_type = 'events_per_minute'
                             ORDER BY window_start DESC LIMIT 1) - 3600 * 1000
GROUP BY event_type ORDER BY events DESC;

-- Global figures of the last 10 closed minutes (partials of all partitions summed).
SELECT to_timestamp(window_start / 1000.0) AS minute, event_count, unique_users, page_views, add_to_carts,
       purchases, total_revenue_cents, top_products
FROM aggregated_metrics_global
WHERE window_type = 'events_per_minute'
ORDER BY window_start DESC LIMIT 10;

-- Conversion funnel per 5-minute window.
SELECT to_timestamp(window_start / 1000.0) AS window, page_views, add_to_carts, purchases,
       round(100.0 * purchases / nullif(page_views, 0), 2) AS purchase_per_view_pct
FROM aggregated_metrics_global
WHERE window_type = 'revenue_per_5min'
ORDER BY window_start DESC LIMIT 12;

-- The longest sessions that closed recently.
SELECT user_id, session_id, (window_end - window_start) / 1000 AS seconds, event_count, total_revenue_cents
FROM aggregated_metrics
WHERE window_type = 'session_summary'
ORDER BY window_end DESC, seconds DESC LIMIT 20;

-- Mobile versus desktop by country.
SELECT geo_country, is_mobile, count(*) AS events, count(DISTINCT user_id) AS users
FROM clickstream_events GROUP BY geo_country, is_mobile ORDER BY events DESC LIMIT 20;

-- Top search queries.
SELECT search_query, count(*) FROM clickstream_events
WHERE event_type = 'search' AND search_query IS NOT NULL
GROUP BY search_query ORDER BY count(*) DESC LIMIT 20;

-- The dead letter queue: why messages were refused.
SELECT error_reason, count(*), min(failed_at_iso) AS first, max(failed_at_iso) AS last
FROM dead_letter_events GROUP BY error_reason ORDER BY count(*) DESC;

-- Dead letters Kafka refused for good: kept whole here, never sent to the DLQ topic.
SELECT id, source_topic, source_partition, source_offset, length(original_payload) AS payload_chars, publish_error
FROM dead_letter_events WHERE publish_error IS NOT NULL ORDER BY id DESC LIMIT 20;

-- The window outbox: how many closed windows wait to be sent to clickstream.aggregated, and since when
-- (also on /metrics: stream_pipeline_outbox_pending and stream_pipeline_outbox_oldest_seconds).
SELECT count(*) AS queued, min(queued_at) AS oldest FROM aggregated_outbox;

-- Windows Kafka refused for good: kept here with the reason, never sent.
SELECT window_id, window_type, window_start, publish_error
FROM aggregated_metrics WHERE publish_error IS NOT NULL LIMIT 20;

-- Where each partition stands, and how big its window state is.
SELECT consumer_group, topic, partition, next_offset, length(state_snapshot) AS state_bytes, updated_at
FROM pipeline_checkpoints ORDER BY consumer_group, topic, partition;
