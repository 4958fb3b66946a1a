-- The rate role's own store of the rollup parts it has consumed from `usage.rollups`, so drafts
-- are recomputed from everything seen without depending on the sink's hypertable. Parts are
-- merged, never overwritten: identity = part_id, and a replayed part is dropped by
-- ON CONFLICT (part_id) DO NOTHING (SPEC §4 effectively-once).

CREATE TABLE rating_parts (
  part_id         text PRIMARY KEY,
  server_id       text NOT NULL,
  meter           text NOT NULL,
  window_start    timestamptz NOT NULL,
  window_end      timestamptz NOT NULL,
  correction      boolean NOT NULL,
  -- RollupState (pipeline/aggregation/rollup.ts) as JSON: decimal strings, never floats.
  state           jsonb NOT NULL,
  -- Lineage: where the samples behind the part were read (metrics.raw partition, offset range)…
  source          jsonb,
  -- …and where the rate role read the part itself (usage.rollups), first time seen.
  rollup_topic     text NOT NULL,
  rollup_partition integer NOT NULL,
  rollup_offset    bigint NOT NULL,
  stored_at       timestamptz NOT NULL DEFAULT now(),
  -- The final invoice that billed this part (set when that invoice is finalized). A part of a
  -- finalized period with no billing invoice arrived late: it is billed as an adjustment.
  billed_invoice  text REFERENCES invoices (id)
);
CREATE INDEX rating_parts_by_series ON rating_parts (server_id, meter, window_start);
CREATE INDEX rating_parts_unbilled ON rating_parts (server_id, window_start) WHERE billed_invoice IS NULL;
