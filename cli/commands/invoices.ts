// `meterline invoices finalize --period 2026-10 [--customer ID] [--catalog FILE]`: closes a
// billing period (SPEC §4, §8). Each customer's draft is recomputed one last time and becomes
// final, immutable in the database, numbered (SPEC §12.3); usage of the period that arrives later is billed as an
// adjustment on the next invoice. Prints one line per customer; safe to run again.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { MeterlineError } from '../../lib/errors.js';
import { loadCatalog } from '../../catalog/load.js';
import { createPool } from '../../db/pool.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { finalizePeriod } from '../../invoicing/finalize.js';

const USAGE = 'usage: meterline invoices finalize --period YYYY-MM [--customer ID] [--catalog FILE]';

export const command: Command = {
  summary: 'invoices finalize --period YYYY-MM [--customer ID]: make a period\'s drafts final',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'finalize') throw new UsageError(sub === undefined ? USAGE : `unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
    const { values } = parseFlags(rest, { period: { type: 'string' }, customer: { type: 'string' }, catalog: { type: 'string' } });
    if (!values.period) throw new UsageError(`--period is required; ${USAGE}`);
    const config = loadConfig();
    const path = values.catalog ?? config.catalogPath;
    if (!path) throw new MeterlineError('config', 'bad configuration: finalizing needs the catalogue (--catalog FILE or METERLINE_CATALOG)');
    const catalog = await loadCatalog(path);
    const pool = createPool(config.database, { applicationName: 'meterline-invoices', max: 2 });
    try {
      await seedFromCatalog(pool, catalog);
      const results = await finalizePeriod(pool, { catalog, now: Date.now }, values.period, values.customer);
      // customer, result, invoice id, invoice number (SPEC §12.3), tab-separated; empty fields left out.
      for (const r of results) console.log([r.customer, r.result, r.invoice, r.number].filter((f) => f !== undefined).join('\t'));
      const finalized = results.filter((r) => r.result === 'finalized').length;
      console.error(`invoices: period ${values.period}: ${finalized} finalized, ${results.length - finalized} unchanged`);
      return 0;
    } catch (err) {
      if (err instanceof MeterlineError && (err.kind === 'conflict' || err.kind === 'not_found')) {
        console.error(`meterline invoices: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      await pool.end();
    }
  },
};
