-- Running usage state for the rate role (issue 11 item 6): the merged RollupState of every
-- stored part, per (zone, server, meter, local day) and per (zone, server, meter, local month),
-- so re-rating a draft reads one row per (server, meter) instead of a month of minute parts.
-- Parts are immutable and merged, never replaced (a correction is one more part), and the merge
-- is a commutative monoid: every new part is added to its day and month row in the very
-- statement that stores it (ON CONFLICT (part_id) DO NOTHING decides "new", so a replay adds
-- nothing). Rows exist only for the zones in rating_state_zones, built whole from rating_parts
-- by the rate role at start (invoicing/db/usage-states.ts); max/min never need inverting.

CREATE TABLE rating_state_zones (
  zone     text PRIMARY KEY,
  built_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rating_usage_days (
  zone            text NOT NULL,
  server_id       text NOT NULL,
  meter           text NOT NULL,
  day_start       timestamptz NOT NULL,  -- local midnight in `zone`
  month_start     timestamptz NOT NULL,  -- local first of the month in `zone`
  lo              timestamptz NOT NULL,  -- min(window_start) of the parts merged in
  hi              timestamptz NOT NULL,  -- max(window_start)
  hi_end          timestamptz NOT NULL,  -- max(window_end)
  samples         bigint NOT NULL,
  total           numeric NOT NULL,
  max_value       numeric,
  min_value       numeric,
  latest_value    numeric,
  latest_ts       bigint,
  distinct_values text[],
  PRIMARY KEY (zone, server_id, meter, day_start)
);
CREATE INDEX rating_usage_days_by_month ON rating_usage_days (zone, server_id, meter, month_start);

CREATE TABLE rating_usage_months (
  zone            text NOT NULL,
  server_id       text NOT NULL,
  meter           text NOT NULL,
  month_start     timestamptz NOT NULL,
  lo              timestamptz NOT NULL,
  hi              timestamptz NOT NULL,
  hi_end          timestamptz NOT NULL,
  samples         bigint NOT NULL,
  total           numeric NOT NULL,
  max_value       numeric,
  min_value       numeric,
  latest_value    numeric,
  latest_ts       bigint,
  distinct_values text[],
  PRIMARY KEY (zone, server_id, month_start, meter)
);

-- Union of text arrays (NULL when every input is NULL); callers de-duplicate the result.
CREATE AGGREGATE rating_array_union (text[]) (SFUNC = array_cat, STYPE = text[]);
