// `meterline <command>`: one program, one command per role or tool (SPEC §8). Commands are
// loaded lazily so `meterline bill` never pays for Kafka or database clients it doesn't use.
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { MeterlineError } from '../lib/errors.js';

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  start: () => import('./commands/start.js'),
  run: () => import('./commands/run.js'),
  ingest: () => import('./commands/ingest.js'),
  aggregate: () => import('./commands/aggregate.js'),
  sink: () => import('./commands/sink.js'),
  rate: () => import('./commands/rate.js'),
  api: () => import('./commands/api.js'),
  stack: () => import('./commands/stack.js'),
  migrate: () => import('./commands/migrate.js'),
  bill: () => import('./commands/bill.js'),
  loadgen: () => import('./commands/loadgen.js'),
  bench: () => import('./commands/bench.js'),
  keys: () => import('./commands/keys.js'),
  nagios: () => import('./commands/nagios.js'),
  invoices: () => import('./commands/invoices.js'),
  config: () => import('./commands/config.js'),
};

async function usage(): Promise<string> {
  const lines = ['usage: meterline <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      lines.push(`  ${name.padEnd(10)} ${(await load()).command.summary}`);
    } catch {
      lines.push(`  ${name.padEnd(10)} (unavailable)`);
    }
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`meterline: unknown command ${JSON.stringify(name)}; run 'meterline --help'`);
    return 2;
  }
  try {
    const { command } = await load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`meterline ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof MeterlineError && (err.kind === 'config' || err.kind === 'validation')) {
      console.error(`meterline ${name}: ${err.message}`);
      return err.kind === 'config' ? 78 : 1; // 78 = EX_CONFIG
    }
    console.error(`meterline ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

// Roles resolve only when they have shut down (SIGTERM/SIGINT), so exiting here is always safe,
// and it ends a finished command even if a library left a timer behind.
process.exit(await main(process.argv.slice(2)));
