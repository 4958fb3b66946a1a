// `meterline bill` (SPEC §8): embedded billing, no Kafka or database. Reads the catalogue and
// NDJSON samples (and Nagios lines), runs the shared aggregation and rating code, prints the
// period's invoices as SPEC §9 JSON or a table. `--compare-catalog` rates the same samples
// under a second catalogue and prints both side by side (the "what-if" tool).
//
// Exit status: 0 = every line was used; 1 = some input lines were rejected (each was reported
// on stderr as file:line: reason, and the invoices printed are without them) or the catalogue
// is invalid; 2 = bad usage.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { loadCatalog } from '../../catalog/load.js';
import { parseDuration } from '../../lib/duration.js';
import { parsePeriod } from '../../rating/period.js';
import { runBill, type BillStats } from '../../rating/embedded/run-bill.js';
import { billJson, billTable, compareJson, compareTable } from '../../rating/embedded/output.js';

const USAGE =
  'usage: meterline bill --catalog FILE --events FILE[,FILE…] --period YYYY-MM [--nagios FILE] [--format json|table] ' +
  '[--compare-catalog FILE] [--window DURATION] [--jobs auto|N] [--detail] [--progress]';

/** Windows of the embedded aggregator. Invoices do not depend on it (parts are cut at period
 *  and subscription boundaries and merged); a day keeps a month of input fast. */
const DEFAULT_WINDOW = '1d';

/** Inputs below this are parsed in-process: starting workers costs more than it saves. */
const WORKERS_FROM_BYTES = 64 * 1024 * 1024;

/** `--jobs N` parse workers, or `auto`: none for small input (or one core), else one per spare core (≤ 4). */
async function workersFor(jobs: string, files: readonly string[]): Promise<number> {
  if (jobs !== 'auto') {
    if (!/^\d+$/.test(jobs) || Number(jobs) > 64) throw new UsageError(`--jobs must be auto or a number of parse workers 0…64 (got ${JSON.stringify(jobs)})`);
    return Number(jobs);
  }
  let bytes = 0;
  for (const f of files) {
    if (f === '-') return 0;
    bytes += (await stat(f).catch(() => ({ size: 0 }))).size;
  }
  return bytes < WORKERS_FROM_BYTES ? 0 : Math.max(0, Math.min(availableParallelism() - 1, 4));
}

const rate = (n: number, ms: number): string => `${Math.round(n / Math.max(ms / 1000, 0.001)).toLocaleString('en')}/s`;

function describe(s: BillStats): string {
  return `${s.lines.toLocaleString('en')} lines, ${s.samples.toLocaleString('en')} samples (${rate(s.samples, s.elapsedMs)}), ` +
    `${s.duplicates.toLocaleString('en')} duplicates, ${s.rejected.toLocaleString('en')} rejected`;
}

export const command: Command = {
  summary: 'embedded billing: rate NDJSON samples against a catalogue and print the invoices (SPEC §8, §9)',
  async run(argv) {
    const { values } = parseFlags(argv, {
      catalog: { type: 'string' },
      events: { type: 'string', multiple: true },
      period: { type: 'string' },
      nagios: { type: 'string' },
      format: { type: 'string', default: 'json' },
      'compare-catalog': { type: 'string' },
      window: { type: 'string', default: DEFAULT_WINDOW },
      jobs: { type: 'string', default: 'auto' },
      detail: { type: 'boolean', default: false },
      progress: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const missing = (['catalog', 'events', 'period'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) throw new UsageError(`missing --${missing.join(', --')}\n${USAGE}`);
    const format = values.format;
    if (format !== 'json' && format !== 'table') throw new UsageError(`--format must be json or table (got ${JSON.stringify(format)})`);
    const eventFiles = (values.events ?? []).flatMap((e) => e.split(',')).filter((f) => f !== '');
    if (eventFiles.length === 0) throw new UsageError('--events names no file');
    let windowMs: number;
    try {
      windowMs = parseDuration(values.window);
    } catch (err) {
      throw new UsageError(`--window: ${(err as Error).message}`);
    }
    for (const [flag, f] of [...eventFiles.map((f) => ['--events', f] as const), ...(values.nagios ? [['--nagios', values.nagios] as const] : [])]) {
      if (f === '-') continue;
      await access(f, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`${flag}: cannot read ${f} (${err.code ?? err.message})`);
      });
    }
    const parseWorkers = await workersFor(values.jobs, eventFiles);
    const catalogFiles = [values.catalog as string, ...(values['compare-catalog'] ? [values['compare-catalog']] : [])];
    const catalogs = await Promise.all(catalogFiles.map((f) => loadCatalog(f)));
    try {
      for (const c of catalogs) parsePeriod(values.period as string, c.timezone);
    } catch (err) {
      throw new UsageError(`--period: ${(err as Error).message}`);
    }

    const showProgress = values.progress ?? process.stderr.isTTY === true;
    const { runs, stats } = await runBill({
      catalogs,
      period: values.period as string,
      eventFiles,
      ...(values.nagios ? { nagiosFile: values.nagios } : {}),
      windowMs,
      parseWorkers,
      onRejected: (r) => process.stderr.write(`${r.file}:${r.line}: ${r.reason}\n`),
      ...(showProgress ? { onProgress: (s: BillStats) => process.stderr.write(`bill: ${describe(s)}\n`) } : {}),
    });

    const [base, other] = runs;
    if (!base) return 1;
    const names: [string, string] = [basename(catalogFiles[0] ?? 'base'), basename(catalogFiles[1] ?? 'compare')];
    if (names[0] === names[1]) names.splice(0, 2, catalogFiles[0] ?? 'base', catalogFiles[1] ?? 'compare');
    let text: string;
    if (other) text = format === 'json' ? JSON.stringify(compareJson(base, other, names, values.detail), null, 2) + '\n' : compareTable(base, other, names);
    else text = format === 'json' ? JSON.stringify(billJson(base, values.detail), null, 2) + '\n' : billTable(base);
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));

    if (showProgress || stats.rejected > 0) process.stderr.write(`bill: ${describe(stats)} in ${(stats.elapsedMs / 1000).toFixed(1)} s\n`);
    if (stats.rejected > 0) {
      process.stderr.write(`bill: ${stats.rejected} input line(s) rejected (listed above); the invoices do not include them\n`);
      return 1;
    }
    return 0;
  },
};
