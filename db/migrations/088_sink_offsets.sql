-- The sink's consumed offsets, kept in the same database transaction as the rows they produced
-- (the Kafka Connect / Flink exactly-once sink pattern): a batch is stored and its position
-- advanced together or not at all, so a replay of a stored batch is recognised by its offsets
-- and skipped, and the rows can be COPYed straight into rollup_parts (no staging table, no
-- ON CONFLICT merge). Kafka's committed offset is kept as well, but only as a hint of where to
-- resume reading: this table is the truth.
CREATE TABLE IF NOT EXISTS sink_offsets (
  consumer_group text        NOT NULL,
  topic          text        NOT NULL,
  partition      integer     NOT NULL,
  -- The offset of the next record to store (Kafka's convention for a committed offset).
  next_offset    bigint      NOT NULL CHECK (next_offset >= 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);
