-- The outbox of clickstream.aggregated becomes a queue of its own (docs/design.md#tables). Before, a window row
-- was "to send" while aggregated_metrics.published was false, and the outbox publisher marked each sent row
-- published = true. That UPDATE rewrote the whole ~870-byte row, and as a non-HOT update (published is in the
-- predicates of two partial indexes) it entered the new version in every index again: with 200,000 users
-- (~281,000 window rows per 1,000,000 events) pg_stat_statements showed it costing 8-40 s per run, and the
-- outbox published only 4,000-7,000 rows/s, so a replay waited ~38 s for its windows after its last event row.
--
-- Now the checkpoint adds each window it writes to aggregated_outbox, in the same statement (and so the same
-- transaction) as the window row; the publisher sends the queued windows in seq order and deletes their narrow
-- entries. aggregated_metrics rows are written once per window and never touched to mark them.
--
-- 1. The queue: one entry per window (UNIQUE window_id), FIFO by seq. A replayed window (an upsert of a stored
--    window_id) is queued again: its entry is inserted, or, while it is still queued, moved to the back with a new
--    seq. That update also waits for a publisher that is sending the old figures of that window, so the final
--    figures are always sent after them (sink/OutboxPublisherVerticle.java explains the protocol). No foreign key
--    to aggregated_metrics: its per-row trigger would cost every checkpoint; an entry whose window row is gone
--    (deleted by hand) is dropped by the publisher.
CREATE TABLE IF NOT EXISTS aggregated_outbox (
    seq        BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    window_id  VARCHAR(36)  NOT NULL UNIQUE
);

-- 2. Nothing waiting is lost on upgrade: the rows not published yet are queued, oldest first.
INSERT INTO aggregated_outbox (window_id)
SELECT window_id FROM aggregated_metrics WHERE NOT published ORDER BY created_at, window_id
ON CONFLICT (window_id) DO NOTHING;

-- 3. published goes, with the two partial indexes built on it: a window is to be sent while it is queued.
--    publish_error stays: a window Kafka refuses for good (too large, invalid) leaves the queue with the reason
--    written there, so it never holds back the windows behind it.
DROP INDEX IF EXISTS idx_aggregated_unpublished;
DROP INDEX IF EXISTS idx_aggregated_published_created;
ALTER TABLE aggregated_metrics DROP COLUMN IF EXISTS published;

-- 4. Retention (RETENTION_DAYS_WINDOWS) deletes window rows older than its limit that are not queued. It finds
--    them by created_at through a BRIN index rather than a B-tree: rows are appended in created_at order (an upsert
--    keeps created_at and moves the row, which widens one range a little), so a range of 32 pages covers a narrow
--    span of time, and each window insert costs next to nothing, where a B-tree entry per row is what V6 removed
--    from the events for 18% of their INSERT's time. New ranges are summarized once a minute by the pipeline
--    (RetentionVerticle), as for idx_events_time_brin; ranges not summarized yet are read, so nothing is missed.
CREATE INDEX IF NOT EXISTS idx_aggregated_created_brin ON aggregated_metrics USING brin (created_at)
    WITH (pages_per_range = 32);

-- A role with DML grants only (README, "Running without DDL rights") needs them granted again for this table.
