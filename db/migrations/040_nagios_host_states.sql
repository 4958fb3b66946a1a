-- Nagios HARD host states (SPEC §7), the input of down intervals and SLA credits (SPEC §6.4).
-- The state changes themselves are stored, not the intervals derived from them: a DOWN and its
-- UP often arrive in different POSTs (and, from several Nagios instances or a replayed log, out
-- of order), and an interval table would need read-modify-write merging to stay right under
-- that. Events keyed by (host, ts, state) make a re-posted line a no-op (ON CONFLICT DO
-- NOTHING), and the intervals are folded from them on read (nagios/store/intervals.ts), with
-- the same pure fold `meterline bill --nagios` uses. SOFT states are never stored: they never
-- open or close an interval.
CREATE TABLE nagios_host_states (
  host        text NOT NULL CHECK (length(host) > 0),
  -- The server the host mapped to when the line arrived (catalogue `hosts:`, default the host
  -- name itself); kept so a query by server is an index lookup.
  server_id   text NOT NULL CHECK (length(server_id) > 0),
  ts          timestamptz NOT NULL,
  state       text NOT NULL CHECK (state IN ('UP', 'DOWN', 'UNREACHABLE')),
  source      text NOT NULL CHECK (source IN ('alert', 'current', 'initial', 'statusengine')),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, ts, state)
);
CREATE INDEX nagios_host_states_by_server ON nagios_host_states (server_id, ts);

-- For analysts and operators: each host's HARD DOWN→UP intervals (end NULL = still down).
-- Repeated DOWNs keep the first start; UNREACHABLE neither opens nor closes (SPEC §7 names DOWN).
CREATE VIEW nagios_down_intervals AS
WITH transitions AS (
  SELECT host, server_id, ts, state,
         lag(state) OVER (PARTITION BY host ORDER BY ts, state) AS previous
    FROM nagios_host_states
   WHERE state IN ('DOWN', 'UP')
), edges AS (
  SELECT host, server_id, ts, state FROM transitions
   WHERE previous IS DISTINCT FROM state AND NOT (state = 'UP' AND previous IS NULL)
)
SELECT host, server_id, ts AS down_from,
       lead(ts) OVER (PARTITION BY host ORDER BY ts, state) AS down_to
  FROM edges
 WHERE state = 'DOWN';
