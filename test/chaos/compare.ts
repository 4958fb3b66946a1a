// The suite's verdict, as canonical text compared byte for byte:
// - invoices: the API's drafts for the period (GET /v1/invoices) against `meterline bill` over
//   the same sample file — keys sorted at every level, invoices by customer, lines in the order
//   both give them; the fields bill cannot know (id, catalogue hash, timestamps) left out;
// - rollups: every stored (server, meter, base window) in TimescaleDB, merged over its parts,
//   against the independent reference model of test/e2e/workload.ts over the same file (bill
//   prints invoices, not rollups) — one line per window, sorted.
import type pg from 'pg';
import type { Sample } from '../../pipeline/samples/sample.js';
import { runToEnd } from '../e2e/processes.js';
import { storedRollups } from '../e2e/harness.js';
import { comparable, expectedRollups, type Expected } from '../e2e/workload.js';
import { CHAOS_METERS, PERIOD, WINDOW_MS } from './traffic.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON with the keys of every object sorted: two equal documents give the same bytes. */
export function canonicalJson(v: Json): string {
  const sortKeys = (x: Json): Json =>
    Array.isArray(x)
      ? x.map(sortKeys)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k] as Json)]))
        : x;
  return JSON.stringify(sortKeys(v), null, 1);
}

const byCustomer = (a: Json[]): Json[] =>
  [...a].sort((x, y) => String((x as { customer: string }).customer).localeCompare(String((y as { customer: string }).customer)));

export async function billInvoices(env: NodeJS.ProcessEnv, catalogFile: string, eventsFile: string): Promise<string> {
  const r = await runToEnd(['bill', '--catalog', catalogFile, '--events', eventsFile, '--period', PERIOD, '--format', 'json'], env);
  if (r.code !== 0) throw new Error(`meterline bill exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return canonicalJson(byCustomer((JSON.parse(r.stdout) as { invoices: Json[] }).invoices));
}

export async function apiInvoices(apiUrl: string, key: string): Promise<string> {
  const r = await fetch(`${apiUrl}/v1/invoices?period=${PERIOD}`, { headers: { authorization: `Bearer ${key}` } });
  if (r.status !== 200) throw new Error(`GET /v1/invoices answered ${r.status}: ${await r.text()}`);
  const { invoices } = (await r.json()) as { invoices: { [k: string]: Json }[] };
  const bare = invoices.map(({ id: _i, catalog_hash: _h, computed_at: _c, finalized_at: _f, ...rest }) => rest);
  return canonicalJson(byCustomer(bare));
}

const rollupText = (m: Map<string, Expected>): string =>
  [...m]
    .map(([k, e]) => `${k} ${JSON.stringify(comparable(k.split('|')[1] as string, e, CHAOS_METERS))}`)
    .sort()
    .join('\n');

export const referenceRollups = (samples: readonly Sample[]): string => rollupText(expectedRollups(samples, WINDOW_MS, CHAOS_METERS));
export const databaseRollups = async (pool: pg.Pool): Promise<string> => rollupText(await storedRollups(pool, WINDOW_MS));

const capped = (out: string[], limit: number): string[] =>
  out.slice(0, limit).concat(out.length > limit ? [`… ${out.length - limit} more`] : []);

/** Rollup windows that differ, as `key: reference X, stored Y` (empty when the texts are the same bytes). */
export function rollupDiff(want: string, got: string, limit = 12): string[] {
  if (want === got) return [];
  const parse = (t: string) => new Map(t.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
  const a = parse(want);
  const b = parse(got);
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()]))
    if (a.get(k) !== b.get(k)) out.push(`${k}: reference ${a.get(k) ?? 'none'}, stored ${b.get(k) ?? 'none'}`);
  return capped(out, limit);
}

/** Invoice fields and lines that differ, as `customer field: bill X, api Y` (empty when the same bytes). */
export function invoiceDiff(want: string, got: string, limit = 12): string[] {
  if (want === got) return [];
  type Inv = { customer: string; lines?: Json[] } & Record<string, Json>;
  const index = (t: string) => new Map((JSON.parse(t) as Inv[]).map((i) => [i.customer, i]));
  const a = index(want);
  const b = index(got);
  const out: string[] = [];
  for (const c of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(c);
    const y = b.get(c);
    if (x === undefined || y === undefined) {
      out.push(`${c}: ${x === undefined ? 'not in bill' : 'not in the API'}`);
      continue;
    }
    for (const f of new Set([...Object.keys(x), ...Object.keys(y)]))
      if (f !== 'lines' && JSON.stringify(x[f]) !== JSON.stringify(y[f])) out.push(`${c} ${f}: bill ${JSON.stringify(x[f])}, api ${JSON.stringify(y[f])}`);
    const lx = x.lines ?? [];
    const ly = y.lines ?? [];
    for (let n = 0; n < Math.max(lx.length, ly.length); n++)
      if (JSON.stringify(lx[n]) !== JSON.stringify(ly[n])) out.push(`${c} line ${n + 1}: bill ${JSON.stringify(lx[n]) ?? 'none'}, api ${JSON.stringify(ly[n]) ?? 'none'}`);
  }
  if (out.length === 0) out.push('(same content, other bytes)');
  return capped(out, limit);
}
