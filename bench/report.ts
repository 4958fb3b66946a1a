// What every `meterline bench` prints and writes (SPEC §11): a table on stdout and a JSON file in
// bench-results/ (git-ignored), with the machine's core count so figures can be compared.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** A bench subcommand module (bench/<name>.ts). */
export interface BenchModule {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export interface BenchResult {
  bench: string;
  /** Headline throughput: events (or rows, rollups) per second. */
  perSecond: number;
  unit: string;
  latencyMs?: { p50: number; p99: number; max: number; of: string };
  /** Everything else worth keeping (parameters, counts). */
  details: Record<string, unknown>;
}

export const machine = () => ({
  cores: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
});

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function latencySummary(values: readonly number[], of: string) {
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), max: round(Math.max(...values)), of };
}

/** Prints the table and writes bench-results/<bench>-<time>.json; returns the file path. */
export function report(r: BenchResult, dir = 'bench-results'): string {
  const m = machine();
  const rows: [string, string][] = [
    ['bench', r.bench],
    [r.unit, r.perSecond.toFixed(0)],
    ...(r.latencyMs ? ([[`p50 latency (${r.latencyMs.of})`, `${r.latencyMs.p50} ms`], [`p99 latency (${r.latencyMs.of})`, `${r.latencyMs.p99} ms`]] as [string, string][]) : []),
    ...Object.entries(r.details).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)] as [string, string]),
    ['cores', String(m.cores)],
    ['cpu', m.cpu],
    ['node', m.node],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`);
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = join(dir, `${r.bench}-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ ...r, machine: m, at }, null, 2)}\n`);
  return file;
}
