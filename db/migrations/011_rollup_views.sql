-- Analyst views over rollup_parts (SPEC §10): hourly, daily and monthly buckets per server and
-- meter in the catalogue time zone, each value re-aggregated the way its meter aggregates
-- (the same rules as GET /v1/rollups, api/routes/rollups.ts). Plain views: the Apache edition
-- of TimescaleDB has no continuous aggregates, and rollups at the base window are small.

-- Union of text arrays (the distinct label values of `unique` meters).
CREATE OR REPLACE AGGREGATE rollup_text_union(text[]) (SFUNC = array_cat, STYPE = text[], INITCOND = '{}');

-- Seconds of the billing period (calendar month in `tz`) that contains `t`: the divisor of a
-- time_average meter's value-seconds.
CREATE OR REPLACE FUNCTION rollup_period_seconds(t timestamptz, tz text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT EXTRACT(EPOCH FROM (
           ((date_trunc('month', t AT TIME ZONE tz) + INTERVAL '1 month') AT TIME ZONE tz)
           - (date_trunc('month', t AT TIME ZONE tz) AT TIME ZONE tz)))::numeric
$$;

-- One bucket's value from its merged state (SPEC §3, §10). Quotients (avg, time_average) are
-- rounded half-up to 12 fraction digits for display; every other value is exact. Rating never
-- reads these values: it merges the parts itself.
CREATE OR REPLACE FUNCTION rollup_value(aggregation text, samples bigint, total numeric, maximum numeric,
                                        minimum numeric, latest numeric, distinct_count bigint,
                                        period_seconds numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE aggregation
    WHEN 'sum' THEN total
    WHEN 'integral' THEN total
    WHEN 'time_average' THEN round(total / period_seconds, 12)
    WHEN 'avg' THEN CASE WHEN samples = 0 THEN 0 ELSE round(total / samples, 12) END
    WHEN 'max' THEN maximum
    WHEN 'min' THEN minimum
    WHEN 'latest' THEN latest
    WHEN 'count' THEN samples
    WHEN 'unique' THEN distinct_count
  END
$$;

-- Parts merged per bucket of `granularity` (an interval) in the catalogue time zone.
CREATE OR REPLACE FUNCTION rollup_buckets(granularity interval)
RETURNS TABLE (bucket timestamptz, server_id text, meter text, value numeric, unit text, samples bigint)
LANGUAGE sql STABLE AS $$
  WITH c AS (SELECT coalesce((SELECT timezone FROM rollup_catalog), 'UTC') AS tz),
  b AS (
    SELECT time_bucket(granularity, p.window_start, c.tz) AS bucket, p.server_id, p.meter, c.tz,
           sum(p.sample_count)::bigint AS samples, sum(p.sum) AS total, max(p.max) AS maximum,
           min(p.min) AS minimum,
           (array_agg(p.latest ORDER BY p.latest_ts DESC, p.latest DESC) FILTER (WHERE p.latest IS NOT NULL))[1] AS latest,
           (SELECT count(DISTINCT v) FROM unnest(rollup_text_union(p.distinct_values)) AS v) AS distinct_count
    FROM rollup_parts p CROSS JOIN c
    GROUP BY 1, 2, 3, 4
  )
  SELECT b.bucket, b.server_id, b.meter,
         rollup_value(m.aggregation, b.samples, b.total, b.maximum, b.minimum, b.latest, b.distinct_count,
                      rollup_period_seconds(b.bucket, b.tz)),
         m.unit, b.samples
  FROM b LEFT JOIN rollup_meters m ON m.meter = b.meter
$$;

CREATE OR REPLACE VIEW rollups_hourly AS SELECT * FROM rollup_buckets(INTERVAL '1 hour');
CREATE OR REPLACE VIEW rollups_daily AS SELECT * FROM rollup_buckets(INTERVAL '1 day');
CREATE OR REPLACE VIEW rollups_monthly AS SELECT * FROM rollup_buckets(INTERVAL '1 month');

COMMENT ON VIEW rollups_hourly IS 'Rollups per hour (catalogue time zone), server and meter; value re-aggregated per the meter''s aggregation.';
COMMENT ON VIEW rollups_daily IS 'Rollups per day (catalogue time zone), server and meter; value re-aggregated per the meter''s aggregation.';
COMMENT ON VIEW rollups_monthly IS 'Rollups per calendar month (catalogue time zone), server and meter; value re-aggregated per the meter''s aggregation.';

-- The same per customer and meter: parts attributed to the subscription of their server
-- active at the part's window start (windows are split at subscription boundaries, so a
-- part lies inside one). plpgsql so it may name `subscriptions`, which a later migration
-- (020) creates; SECURITY DEFINER so analysts need no grant on the subscriptions table.
CREATE OR REPLACE FUNCTION rollup_buckets_by_customer(granularity interval)
RETURNS TABLE (bucket timestamptz, customer text, meter text, value numeric, unit text, samples bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH c AS (SELECT coalesce((SELECT timezone FROM rollup_catalog), 'UTC') AS tz),
  b AS (
    SELECT time_bucket(granularity, p.window_start, c.tz) AS bucket, s.customer, p.meter, c.tz,
           sum(p.sample_count)::bigint AS samples, sum(p.sum) AS total, max(p.max) AS maximum,
           min(p.min) AS minimum,
           (array_agg(p.latest ORDER BY p.latest_ts DESC, p.latest DESC) FILTER (WHERE p.latest IS NOT NULL))[1] AS latest,
           (SELECT count(DISTINCT v) FROM unnest(rollup_text_union(p.distinct_values)) AS v) AS distinct_count
    FROM rollup_parts p
    JOIN subscriptions s ON s.server_id = p.server_id AND p.window_start >= s.valid_from
                        AND (s.valid_to IS NULL OR p.window_start < s.valid_to)
    CROSS JOIN c
    GROUP BY 1, 2, 3, 4
  )
  SELECT b.bucket, b.customer, b.meter,
         rollup_value(m.aggregation, b.samples, b.total, b.maximum, b.minimum, b.latest, b.distinct_count,
                      rollup_period_seconds(b.bucket, b.tz)),
         m.unit, b.samples
  FROM b LEFT JOIN rollup_meters m ON m.meter = b.meter;
END
$$;

CREATE OR REPLACE VIEW rollups_customer_hourly AS SELECT * FROM rollup_buckets_by_customer(INTERVAL '1 hour');
CREATE OR REPLACE VIEW rollups_customer_daily AS SELECT * FROM rollup_buckets_by_customer(INTERVAL '1 day');
CREATE OR REPLACE VIEW rollups_customer_monthly AS SELECT * FROM rollup_buckets_by_customer(INTERVAL '1 month');

COMMENT ON VIEW rollups_customer_hourly IS 'Rollups per hour (catalogue time zone), customer and meter, over the customer''s subscriptions.';
COMMENT ON VIEW rollups_customer_daily IS 'Rollups per day (catalogue time zone), customer and meter, over the customer''s subscriptions.';
COMMENT ON VIEW rollups_customer_monthly IS 'Rollups per calendar month (catalogue time zone), customer and meter, over the customer''s subscriptions.';

-- Read-only role for BI tools (SPEC §10). NOLOGIN: an operator grants it to a login role
-- (CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE meterline_readonly). Roles are cluster-wide,
-- so it is created only when missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'meterline_readonly') THEN
    CREATE ROLE meterline_readonly NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO meterline_readonly;
GRANT SELECT ON rollup_parts, rollup_meters, rollup_catalog, rollups_hourly, rollups_daily, rollups_monthly,
  rollups_customer_hourly, rollups_customer_daily, rollups_customer_monthly TO meterline_readonly;
GRANT EXECUTE ON FUNCTION rollup_buckets(interval), rollup_buckets_by_customer(interval), rollup_value(text, bigint, numeric, numeric, numeric, numeric, bigint, numeric),
  rollup_period_seconds(timestamptz, text) TO meterline_readonly;
