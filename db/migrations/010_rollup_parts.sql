-- Rollup parts (pipeline/aggregation/rollup.ts) as the sink stores them: one row per part,
-- never updated. Parts of one window are merged on read; a replayed part hits the primary key
-- and is dropped (INSERT … ON CONFLICT DO NOTHING), so each correction counts exactly once.
-- TimescaleDB Apache edition only: a plain hypertable, no continuous aggregates, no compression.
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE IF NOT EXISTS rollup_parts (
  part_id          text        NOT NULL,
  server_id        text        NOT NULL,
  meter            text        NOT NULL,
  window_start     timestamptz NOT NULL,
  window_end       timestamptz NOT NULL,
  correction       boolean     NOT NULL,
  -- RollupState: decimals are numeric (exact), never float.
  sample_count     bigint      NOT NULL,
  sum              numeric     NOT NULL,
  max              numeric,
  min              numeric,
  latest           numeric,
  latest_ts        timestamptz,
  distinct_values  text[],
  -- Lineage: the input samples behind the part (metrics.raw partition and offset range) …
  source_topic     text,
  source_partition integer,
  first_offset     bigint,
  last_offset      bigint,
  -- … and the usage.rollups record it came from.
  rollup_topic     text,
  rollup_partition integer,
  rollup_offset    bigint,
  stored_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start),
  CHECK (sample_count >= 0),
  -- A hypertable's unique key must include its time column (window_start).
  PRIMARY KEY (part_id, window_start)
);

SELECT create_hypertable('rollup_parts', 'window_start',
                         chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE);

-- The query path: one server's (or all servers') meters over a time range.
CREATE INDEX IF NOT EXISTS rollup_parts_server_meter_time
  ON rollup_parts (server_id, meter, window_start DESC);

-- What the views need from the catalogue, which lives in a file, not the database: each
-- meter's aggregation and unit, and the catalogue time zone. The sink and api roles upsert
-- these at start from the catalogue they were given (sinks/catalog-sync.ts).
CREATE TABLE IF NOT EXISTS rollup_meters (
  meter        text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('delta', 'counter', 'gauge')),
  aggregation  text NOT NULL CHECK (aggregation IN ('sum', 'max', 'min', 'avg', 'latest', 'integral', 'time_average', 'count', 'unique')),
  unit         text NOT NULL,
  catalog_hash text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS rollup_catalog (
  id           boolean PRIMARY KEY DEFAULT TRUE CHECK (id),
  timezone     text NOT NULL,
  catalog_hash text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
