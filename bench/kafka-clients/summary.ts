// Median and range over the runs of `meterline bench kafka-clients`, per client, and the
// markdown table docs/performance.md quotes.
import { percentile } from '../report.js';

export interface RunFigures {
  client: string;
  run: number;
  produceSeconds?: number;
  readSeconds?: number;
  transformSeconds?: number;
  /** Every transaction's sendOffsetsToTransaction + commit, ms. */
  commitMs?: number[];
  /** Process CPU time (user + system, all threads) per step, µs. */
  cpuMicros?: Partial<Record<'produce' | 'read' | 'transform', number>>;
  loadBefore: string;
  loadAfter: string;
  error?: string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface ClientSummary {
  client: string;
  produce?: Spread;
  read?: Spread;
  transform?: Spread;
  /** p99 of the commits of all runs together (a run has only a handful of 1-s transactions). */
  commitP99Ms?: number;
  commits: number;
  /** Median CPU µs per record of each step. */
  cpuPerRecord: Partial<Record<'produce' | 'read' | 'transform', number>>;
  errors: string[];
}

/** Median (the mean of the middle two for an even count), min and max; undefined for none. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, runs: s.length };
}

export function summarise(figures: readonly RunFigures[], records: number): ClientSummary[] {
  const clients = [...new Set(figures.map((f) => f.client))];
  return clients.map((client) => {
    const mine = figures.filter((f) => f.client === client);
    const rate = (pick: (f: RunFigures) => number | undefined, n: number) =>
      spread(mine.map(pick).filter((x): x is number => x !== undefined && x > 0).map((s) => n / s));
    const commits = mine.flatMap((f) => f.commitMs ?? []);
    return {
      client,
      // The produce step times all records but its untimed first one.
      produce: rate((f) => f.produceSeconds, records - 1),
      read: rate((f) => f.readSeconds, records),
      transform: rate((f) => f.transformSeconds, records),
      ...(commits.length ? { commitP99Ms: percentile(commits, 99) } : {}),
      commits: commits.length,
      cpuPerRecord: Object.fromEntries(
        (['produce', 'read', 'transform'] as const).flatMap((step) => {
          const m = spread(mine.flatMap((f) => (f.cpuMicros?.[step] !== undefined && !f.error ? [(f.cpuMicros[step] as number) / records] : [])));
          return m ? [[step, m.median]] : [];
        }),
      ),
      errors: mine.filter((f) => f.error).map((f) => `run ${f.run}: ${f.error}`),
    };
  });
}

const fmt = (s: Spread | undefined) =>
  s ? `${Math.round(s.median).toLocaleString('en-US')} (${Math.round(s.min).toLocaleString('en-US')} – ${Math.round(s.max).toLocaleString('en-US')})` : 'failed';

export function markdownTable(rows: readonly ClientSummary[]): string {
  const lines = [
    '| client | idempotent produce, records/s | group read, records/s | transactional c-t-p, records/s | commit p99 (commits) |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.client} | ${fmt(r.produce)} | ${fmt(r.read)} | ${fmt(r.transform)} | ${r.commitP99Ms !== undefined ? `${Math.round(r.commitP99Ms)} ms (${r.commits})` : '–'} |`),
  ];
  const us = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} µs`);
  lines.push('', '| client | CPU per record: produce | group read | transactional c-t-p |', '|---|---|---|---|');
  for (const r of rows) lines.push(`| ${r.client} | ${us(r.cpuPerRecord.produce)} | ${us(r.cpuPerRecord.read)} | ${us(r.cpuPerRecord.transform)} |`);
  for (const r of rows) for (const e of r.errors) lines.push(`\n${r.client} ${e}`);
  return lines.join('\n');
}
