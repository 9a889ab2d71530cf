-- Two columns for the window outbox queue (aggregated_outbox, V8).
--
-- 1. queued_at: when each entry got its place in the queue, so that how long the head has waited can be watched
--    (stream_pipeline_outbox_oldest_seconds, docs/design.md#metrics): committed windows that never reach Kafka are
--    otherwise invisible until a consumer notices what it lacks. A window moved to the back of the queue (written
--    again while still queued) gets the time of its new place, so the head is always the oldest and is found
--    through the primary key. Entries queued before this migration get the time of the migration (PostgreSQL
--    stores that one value for them without rewriting the table).
ALTER TABLE aggregated_outbox ADD COLUMN IF NOT EXISTS queued_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- 2. payload: the message itself (AggregatedMetrics v2, Avro single-object encoding), written by the checkpoint with
--    the window row. The publisher sends it as it is, so it no longer looks each window row up, reads its ~870
--    bytes and its six arrays, and checks the row's version when it deletes the entry: with 280,000 windows that
--    was 17.8 us of PostgreSQL CPU per window, 7.2 us with the payload (docs/performance.md). What is sent is the
--    entry the publisher has locked, and a checkpoint that writes the window again replaces both together.
--    NULL for entries queued before this migration, and a payload of another schema (its fingerprint differs):
--    the publisher reads those windows from their rows, as before.
ALTER TABLE aggregated_outbox ADD COLUMN IF NOT EXISTS payload BYTEA;
