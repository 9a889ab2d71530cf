-- A log is known by its identity, not only by its offsets (docs/design.md#offset-out-of-range).
--
-- 1. pipeline_checkpoints.topic_id: Kafka's ID of the topic (a UUID, as Kafka prints it) whose log next_offset
--    belongs to. A topic deleted and created again under the same name gets a new ID and counts its offsets from 0
--    again, so an offset alone cannot tell the new log from the old one once the new one has grown past it. A
--    restore compares the stored ID with the topic's; a different one is a position outside the log
--    (PIPELINE_OFFSET_OUT_OF_RANGE). NULL for rows written before this migration: the first checkpoint after it
--    stores the ID of the log it reads (the row is adopted, its position kept).
-- 2. pipeline_checkpoints.leader_epoch: the leader epoch of the last record read before next_offset (KIP-320).
--    A restore seeks with it, so the broker tells the consumer when the log was truncated below next_offset
--    (an unclean leader election, a broker that lost its tail) and offsets were written again. NULL when not
--    known (rows written before this migration, a position not read from yet): the seek is then not validated.
ALTER TABLE pipeline_checkpoints ADD COLUMN IF NOT EXISTS topic_id VARCHAR(32);
ALTER TABLE pipeline_checkpoints ADD COLUMN IF NOT EXISTS leader_epoch INTEGER;

-- 3. dead_letter_events.source_topic_id: the ID of the log the dead letter was read from, part of its source key.
--    A re-created topic reuses offsets, so (topic, partition, offset) alone made a bad record of the new log at an
--    offset an old dead letter had a conflict, and it was dropped. '' for rows written before this migration (the
--    ID of their log was not recorded); NOT NULL so that the unique key treats equal keys as equal.
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS source_topic_id VARCHAR(32) NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS dead_letter_events_source_key
    ON dead_letter_events (source_topic, source_partition, source_offset, source_topic_id);

-- The old unique key on (source_topic, source_partition, source_offset) goes: its name was chosen by PostgreSQL
-- (and shortened to 63 characters), so it is found by its columns.
DO $$
DECLARE
    old_key TEXT;
BEGIN
    FOR old_key IN
        SELECT c.conname FROM pg_constraint c
        WHERE c.conrelid = 'dead_letter_events'::regclass AND c.contype = 'u'
          AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
               WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey))
              = ARRAY['source_offset', 'source_partition', 'source_topic']
    LOOP
        EXECUTE format('ALTER TABLE dead_letter_events DROP CONSTRAINT %I', old_key);
    END LOOP;
END
$$;
