-- Schema of stream-pipeline. Applied at every start; every statement is idempotent, and the advisory
-- lock keeps several processes starting at once from racing on CREATE.
BEGIN;
SELECT pg_advisory_xact_lock(7262001);

CREATE TABLE IF NOT EXISTS clickstream_events (
    event_id            VARCHAR(36)  PRIMARY KEY,
    event_type          VARCHAR(20)  NOT NULL,
    event_timestamp_ms  BIGINT       NOT NULL,
    user_id             VARCHAR(50)  NOT NULL,
    session_id          VARCHAR(36)  NOT NULL,
    product_id          VARCHAR(50),
    product_category    VARCHAR(50),
    price_cents         BIGINT,
    quantity            INTEGER,
    revenue_cents       BIGINT       NOT NULL DEFAULT 0,
    search_query        TEXT,
    page_url            TEXT         NOT NULL,
    referrer            TEXT,
    user_agent          TEXT         NOT NULL,
    ip_address          VARCHAR(45)  NOT NULL,
    geo_country         VARCHAR(8)   NOT NULL,
    geo_city            VARCHAR(100),
    event_hour          SMALLINT     NOT NULL,
    is_mobile           BOOLEAN      NOT NULL,
    ingested_at         TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_events_timestamp ON clickstream_events (event_timestamp_ms);
CREATE INDEX IF NOT EXISTS idx_events_user ON clickstream_events (user_id);
CREATE INDEX IF NOT EXISTS idx_events_session ON clickstream_events (session_id);
CREATE INDEX IF NOT EXISTS idx_events_type_time ON clickstream_events (event_type, event_timestamp_ms);
CREATE INDEX IF NOT EXISTS idx_events_product ON clickstream_events (product_id) WHERE product_id IS NOT NULL;

-- One row per closed window and source partition (and per user session for session_summary). The
-- product/category id and count arrays hold the full tallies, so global top lists can be merged exactly.
-- published = false rows are the outbox for the clickstream.aggregated topic.
CREATE TABLE IF NOT EXISTS aggregated_metrics (
    window_id            VARCHAR(36)  PRIMARY KEY,
    window_type          VARCHAR(32)  NOT NULL,
    window_start         BIGINT       NOT NULL,
    window_end           BIGINT       NOT NULL,
    source_partition     INTEGER      NOT NULL,
    user_id              VARCHAR(50),
    session_id           VARCHAR(36),
    event_count          BIGINT       NOT NULL,
    unique_users         BIGINT       NOT NULL,
    page_views           BIGINT       NOT NULL,
    add_to_carts         BIGINT       NOT NULL,
    purchases            BIGINT       NOT NULL,
    total_revenue_cents  BIGINT       NOT NULL,
    top_products         TEXT[]       NOT NULL,
    top_categories       TEXT[]       NOT NULL,
    product_ids          TEXT[]       NOT NULL,
    product_counts       BIGINT[]     NOT NULL,
    category_names       TEXT[]       NOT NULL,
    category_counts      BIGINT[]     NOT NULL,
    emitted_at           BIGINT       NOT NULL,
    published            BOOLEAN      NOT NULL DEFAULT false,
    created_at           TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_aggregated_window ON aggregated_metrics (window_type, window_start);
CREATE INDEX IF NOT EXISTS idx_aggregated_unpublished ON aggregated_metrics (created_at) WHERE NOT published;

-- Global figures of the tumbling windows: per-partition partials summed (unique users are disjoint because
-- the topic is keyed by user_id), top lists merged by count, then id.
CREATE OR REPLACE VIEW aggregated_metrics_global AS
SELECT g.window_type, g.window_start, g.window_end, g.event_count, g.unique_users, g.page_views,
       g.add_to_carts, g.purchases, g.total_revenue_cents, g.partitions,
       ARRAY(SELECT u.id FROM aggregated_metrics a, unnest(a.product_ids, a.product_counts) AS u(id, n)
             WHERE a.window_type = g.window_type AND a.window_start = g.window_start
             GROUP BY u.id ORDER BY sum(u.n) DESC, u.id LIMIT 10) AS top_products,
       ARRAY(SELECT u.id FROM aggregated_metrics a, unnest(a.category_names, a.category_counts) AS u(id, n)
             WHERE a.window_type = g.window_type AND a.window_start = g.window_start
             GROUP BY u.id ORDER BY sum(u.n) DESC, u.id LIMIT 5) AS top_categories
FROM (SELECT window_type, window_start, window_end,
             sum(event_count)::BIGINT AS event_count, sum(unique_users)::BIGINT AS unique_users,
             sum(page_views)::BIGINT AS page_views, sum(add_to_carts)::BIGINT AS add_to_carts,
             sum(purchases)::BIGINT AS purchases, sum(total_revenue_cents)::BIGINT AS total_revenue_cents,
             count(*) AS partitions
      FROM aggregated_metrics
      WHERE window_type IN ('events_per_minute', 'revenue_per_5min')
      GROUP BY window_type, window_start, window_end) g;

-- Each bad input once: the source position is the key (the Kafka DLQ topic is at least once).
-- published = false rows are the outbox for the clickstream.dlq topic.
CREATE TABLE IF NOT EXISTS dead_letter_events (
    id                BIGSERIAL     PRIMARY KEY,
    source_topic      VARCHAR(255)  NOT NULL,
    source_partition  INTEGER       NOT NULL,
    source_offset     BIGINT        NOT NULL,
    error_reason      TEXT          NOT NULL,
    original_payload  TEXT          NOT NULL,
    payload_encoding  VARCHAR(8)    NOT NULL,
    failed_at         BIGINT        NOT NULL,
    failed_at_iso     VARCHAR(32)   NOT NULL,
    published         BOOLEAN       NOT NULL DEFAULT false,
    created_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
    UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX IF NOT EXISTS idx_dlq_unpublished ON dead_letter_events (id) WHERE NOT published;
-- The replay (--roles=replay-dlq): when a row was last sent again and how often. A replayed message that
-- fails again gets a row of its own whose replay_of is the id of the first row of that message (no foreign
-- key: retention may delete the first row, and a link must never make a dead letter fail to insert).
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replayed_at TIMESTAMPTZ;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replay_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replay_of BIGINT;
CREATE INDEX IF NOT EXISTS idx_dlq_not_replayed ON dead_letter_events (id) WHERE replayed_at IS NULL AND replay_of IS NULL;
CREATE INDEX IF NOT EXISTS idx_dlq_replay_of ON dead_letter_events (replay_of) WHERE replay_of IS NOT NULL;

-- The exactly-once checkpoint: per consumer group and partition, the next offset to read and the window
-- state as of that offset, written in the same transaction as the rows they account for.
CREATE TABLE IF NOT EXISTS pipeline_checkpoints (
    consumer_group    VARCHAR(255)  NOT NULL,
    topic             VARCHAR(255)  NOT NULL,
    partition         INTEGER       NOT NULL,
    next_offset       BIGINT        NOT NULL,
    state_snapshot    BYTEA,
    checkpoint_id     BIGINT        NOT NULL,
    updated_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

COMMIT;
