// `meterline start` (`npm start`): the one command a fresh checkout needs. Without external
// services configured (KAFKA_BROKERS, DATABASE_URL and REDIS_URL all set) it brings the local
// stack up and uses its settings; then it migrates and runs every role (`meterline run`).
import type { Command } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { isKind } from '../../lib/errors.js';
import { join, relative } from 'node:path';
import { checkoutRoot, stackSettings } from '../../stack/paths.js';
import { up } from '../../stack/stack.js';
import { createPool } from '../../db/pool.js';
import { announce, devKeyWanted } from '../start-banner.js';
import { runMigrations } from './migrate.js';
import { runAll } from './run.js';

const EXTERNAL = ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL'] as const;

export const command: Command = {
  summary: 'bring the local stack up (unless services are configured), migrate, run all roles, print the console URL [--demo: a simulated fleet]',
  async run(argv) {
    const demo = argv.includes('--demo');
    const args = argv.filter((a) => a !== '--demo');
    const local = !EXTERNAL.every((name) => process.env[name]?.trim());
    // The demo's charts should follow within a minute: rollups close once the watermark (newest
    // event − allowed lateness) passes them, so the demo shortens the lateness unless it is set.
    if (demo && !process.env.METERLINE_ALLOWED_LATENESS?.trim()) process.env.METERLINE_ALLOWED_LATENESS = '30s';
    if (local) {
      console.error('start: no external services configured; bringing the local stack up…');
      const env: Record<string, string> = {};
      try {
        await up(stackSettings(), {
          progress: (line) => console.error(line),
          result: (line) => {
            const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
            if (m?.[1] && m[2] !== undefined) env[m[1]] = m[2];
          },
        });
      } catch (err) {
        // A service that cannot start: its message names the service and its log; no stack trace.
        if (!isKind(err, 'unavailable')) throw err;
        console.error(`meterline start: ${err.message}`);
        return 1;
      }
      // Settings the user gave win over the stack's.
      for (const [k, v] of Object.entries(env)) if (!process.env[k]?.trim()) process.env[k] = v;
      // Local development only: the example catalogue, so `npm start` runs on a fresh clone.
      // With external services (a deployment) a missing catalogue stays an error.
      if (
        !process.env.METERLINE_CATALOG?.trim() &&
        !args.some((a) => a === '--catalog' || a.startsWith('--catalog='))
      ) {
        const example = join(checkoutRoot(), 'examples', 'catalog.yaml');
        console.error(
          `start: no catalogue given (--catalog or METERLINE_CATALOG); using ${relative(process.cwd(), example)}`,
        );
        args.push('--catalog', example);
      }
    }
    const config = loadConfig(); // validates everything before any work
    await runMigrations(config.database, (line) => console.error(line));
    const pool = createPool(config.database, { applicationName: 'meterline-start' });
    try {
      return await runAll(args, {
        onListening: (port) =>
          announce({ pool, port, demo, devKey: devKeyWanted(local), warn: (l) => console.error(l) }),
      });
    } finally {
      await pool.end();
    }
  },
};
