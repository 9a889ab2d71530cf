-- Incremental window state (docs/design.md#window-state-storage): pipeline_checkpoints.state_snapshot holds a
-- full snapshot (the base), and each checkpoint that changed only part of a partition's state adds one row here,
-- in the same transaction as its offsets. Restore reads the base, then these rows in seq order. A checkpoint
-- that writes a full snapshot deletes the partition's rows. Deleting a partition's checkpoint row (the
-- operator's way out of a halted partition) deletes its changes with it.
-- pipeline_checkpoints.state_changes counts the deltas stored on the base (the last one's seq; 0: the base
-- alone), written with them. Restore compares it with the rows it finds, so deltas lost apart from their
-- checkpoint row (a table restored from an older backup, rows deleted by hand) hold the partition instead of
-- silently restoring an older state under a newer offset.
-- A role with DML grants only (README, "Running without DDL rights") needs them granted again for this table.
CREATE TABLE IF NOT EXISTS pipeline_state_changes (
    consumer_group    VARCHAR(255)  NOT NULL,
    topic             VARCHAR(255)  NOT NULL,
    partition         INTEGER       NOT NULL,
    seq               BIGINT        NOT NULL,
    changes           BYTEA         NOT NULL,
    PRIMARY KEY (consumer_group, topic, partition, seq),
    FOREIGN KEY (consumer_group, topic, partition)
        REFERENCES pipeline_checkpoints (consumer_group, topic, partition) ON DELETE CASCADE
);
ALTER TABLE pipeline_checkpoints ADD COLUMN IF NOT EXISTS state_changes BIGINT NOT NULL DEFAULT 0;
