-- Dead-letter replay (--roles=replay-dlq): when a row was last sent again and how often. A replayed message that
-- fails again gets a row of its own whose replay_of is the id of the first row of that message (no foreign
-- key: retention may delete the first row, and a link must never make a dead letter fail to insert).
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replayed_at TIMESTAMPTZ;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replay_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS replay_of BIGINT;
CREATE INDEX IF NOT EXISTS idx_dlq_not_replayed ON dead_letter_events (id) WHERE replayed_at IS NULL AND replay_of IS NULL;
CREATE INDEX IF NOT EXISTS idx_dlq_replay_of ON dead_letter_events (replay_of) WHERE replay_of IS NOT NULL;
