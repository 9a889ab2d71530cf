-- Retention (RETENTION_DAYS_DLQ, RETENTION_DAYS_WINDOWS) deletes published rows by age in small batches;
-- these indexes let each batch find them without reading the whole table.
CREATE INDEX IF NOT EXISTS idx_dlq_published_created ON dead_letter_events (created_at) WHERE published;
CREATE INDEX IF NOT EXISTS idx_aggregated_published_created ON aggregated_metrics (created_at) WHERE published;
