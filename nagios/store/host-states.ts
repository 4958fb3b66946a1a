// PostgreSQL adapter for Nagios HARD host states (table nagios_host_states, migration 040).
// Writes are idempotent: a line posted twice (a re-read log, a retried request) inserts
// nothing the second time. Reads fold the stored states into down intervals with the same
// pure code `meterline bill --nagios` uses (nagios/intervals.ts).
import type { Queryable } from '../../invoicing/db/tx.js';
import type { HostStateEvent } from '../state.js';
import { serverIdOf, type HostMap } from '../to-sample.js';

export interface StoredStates {
  /** HARD events offered (SOFT ones are never stored). */
  offered: number;
  /** Of those, new rows; offered − inserted were already stored. */
  inserted: number;
  /** Servers whose down time may have changed, each with the earliest new state's time. */
  changed: Array<{ serverId: string; fromMs: number }>;
}

/** Stores the HARD events among `events`, one multi-row statement (set-based, unnest). */
export async function storeHostStates(db: Queryable, events: readonly HostStateEvent[], hosts: HostMap): Promise<StoredStates> {
  const hard = events.filter((e) => e.hard);
  if (hard.length === 0) return { offered: 0, inserted: 0, changed: [] };
  const { rows } = await db.query<{ server_id: string; from_ms: string; n: string }>({
    name: 'nagios_host_states_insert',
    text: `WITH ins AS (
             INSERT INTO nagios_host_states (host, server_id, ts, state, source)
             SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])
             ON CONFLICT (host, ts, state) DO NOTHING
             RETURNING server_id, ts)
           SELECT server_id, (extract(epoch FROM min(ts)) * 1000)::bigint AS from_ms, count(*) AS n
             FROM ins GROUP BY server_id ORDER BY server_id`,
    values: [
      hard.map((e) => e.host),
      hard.map((e) => serverIdOf(e.host, hosts)),
      hard.map((e) => new Date(e.tsMs)),
      hard.map((e) => e.state),
      hard.map((e) => e.source),
    ],
  });
  const inserted = rows.reduce((n, r) => n + Number(r.n), 0);
  return { offered: hard.length, inserted, changed: rows.map((r) => ({ serverId: r.server_id, fromMs: Number(r.from_ms) })) };
}

interface StateRow {
  host: string;
  server_id: string;
  ts_ms: string;
  state: HostStateEvent['state'];
  source: HostStateEvent['source'];
}

/**
 * The HARD states that decide the servers' down time in [fromMs, toMs): per host, the newest
 * DOWN or UP before fromMs (is the host already down when the range starts?) and every state
 * inside the range. Sorted by time, DOWN before UP at the same instant (a zero-length outage
 * closes rather than stays open), the order the interval fold and the SQL view also use.
 */
export async function hostStatesFor(
  db: Queryable,
  serverIds: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<Array<HostStateEvent & { serverId: string }>> {
  if (serverIds.length === 0 || toMs <= fromMs) return [];
  const { rows } = await db.query<StateRow>({
    name: 'nagios_host_states_for',
    text: `SELECT host, server_id, (extract(epoch FROM ts) * 1000)::bigint AS ts_ms, state, source FROM (
             SELECT DISTINCT ON (host) host, server_id, ts, state, source FROM nagios_host_states
              WHERE server_id = ANY($1::text[]) AND ts < $2 AND state IN ('DOWN', 'UP')
              ORDER BY host, ts DESC, state DESC) AS before
           UNION ALL
           SELECT host, server_id, (extract(epoch FROM ts) * 1000)::bigint, state, source FROM nagios_host_states
            WHERE server_id = ANY($1::text[]) AND ts >= $2 AND ts < $3
           ORDER BY 3, 4, 1`,
    values: [[...new Set(serverIds)], new Date(fromMs), new Date(toMs)],
  });
  return rows.map((r) => ({ host: r.host, serverId: r.server_id, state: r.state, hard: true, tsMs: Number(r.ts_ms), source: r.source }));
}
