-- The owner epoch: raised by one each time a lane claims a partition (on assignment, and after a refused
-- checkpoint). Every checkpoint carries the epoch its lane claimed, and the compare-and-set requires it, so a lane
-- that lost the partition can write nothing more of it, not even a checkpoint whose offset did not move.
ALTER TABLE pipeline_checkpoints ADD COLUMN IF NOT EXISTS owner_epoch BIGINT NOT NULL DEFAULT 0;

-- The dashboard's dead-letter views: the last hour's reasons, and the rows behind one reason, paged by id.
CREATE INDEX IF NOT EXISTS idx_dlq_failed_at ON dead_letter_events (failed_at);
CREATE INDEX IF NOT EXISTS idx_dlq_reason ON dead_letter_events (error_reason, id);

-- A row Kafka refuses for good (too large, invalid) is marked published with the reason here, so it never holds
-- back the rows behind it.
ALTER TABLE aggregated_metrics ADD COLUMN IF NOT EXISTS publish_error TEXT;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS publish_error TEXT;
