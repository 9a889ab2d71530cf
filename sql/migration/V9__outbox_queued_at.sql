-- When each window entered the outbox queue, so that how long the oldest one has waited can be watched
-- (stream_pipeline_outbox_oldest_seconds, docs/design.md#metrics): committed windows that never reach Kafka are
-- otherwise invisible until a consumer notices what it lacks. A window moved to the back of the queue (written
-- again while still queued) keeps its time: it has been waiting since then.
-- Entries queued before this migration get the time of the migration (PostgreSQL stores that one value for
-- them without rewriting the table).
ALTER TABLE aggregated_outbox ADD COLUMN IF NOT EXISTS queued_at TIMESTAMPTZ NOT NULL DEFAULT now();
