// `npm run test:chaos [-- --seed N --servers N --step-min N --kills N --restarts kafka,postgres,redis
// --redis-crash-loss-ms=N|0|-1 --max-gap-ms N --timeout-s N]`: the long crash suite (run.ts) with the issue's
// numbers by default. Prints the timeline as it goes and a summary; exits 1 when the rollups or
// invoices differ, or a role exited on its own.
import { parseArgs } from 'node:util';
import { runChaos, type ChaosResult } from './run.js';
import type { ServiceName } from './own-stack.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    servers: { type: 'string', default: '12' },
    'step-min': { type: 'string', default: '15' },
    kills: { type: 'string', default: '10' },
    restarts: { type: 'string', default: 'kafka,postgres,redis' },
    // -1: no Redis crash; 0: a process crash (SIGKILL); N: a machine crash losing N ms of writes
    'redis-crash-loss-ms': { type: 'string', default: '1000' },
    'max-gap-ms': { type: 'string', default: '3000' },
    'timeout-s': { type: 'string', default: '1500' },
  },
});

function whole(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`chaos: --${name} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return n;
}
const restarts = (values.restarts ?? '').split(',').filter(Boolean);
const bad = restarts.find((r) => !['kafka', 'postgres', 'redis'].includes(r));
if (bad !== undefined) {
  console.error(`chaos: --restarts names kafka, postgres or redis (got ${JSON.stringify(bad)})`);
  process.exit(2);
}

const options = {
  seed: whole('seed', values.seed, 0),
  servers: whole('servers', values.servers, 1),
  stepMin: whole('step-min', values['step-min'], 1),
  killsPerRole: whole('kills', values.kills, 0),
  restarts: restarts as ServiceName[],
  ...(values['redis-crash-loss-ms'] === '-1' ? {} : { redisCrashLossMs: whole('redis-crash-loss-ms', values['redis-crash-loss-ms'], 0) }),
  maxGapMs: whole('max-gap-ms', values['max-gap-ms'], 0),
  timeoutMs: 1000 * whole('timeout-s', values['timeout-s'], 60),
  print: (line: string) => console.log(line),
};
console.log(`chaos: ${JSON.stringify({ ...options, print: undefined })}`);

// Ctrl-C stops the run's processes and deletes its stack before exiting.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.once('SIGTERM', () => interrupt.abort());

let result: ChaosResult;
try {
  result = await runChaos({ ...options, signal: interrupt.signal });
} catch (err) {
  console.error(`chaos: FAILED to complete (seed ${options.seed}): ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}
const ok = result.invoiceDiff.length === 0 && result.rollupDiff.length === 0 && result.selfExits.length === 0;
console.log(`
chaos summary (seed ${options.seed}, ${result.elapsedS.toFixed(0)} s)
  samples sent:       ${result.samples}
  events:             ${result.timeline.filter((l) => /SIGKILL|restart \w+: stopping|redis crash/.test(l)).length} (kills and restarts, listed above)
  rollups:            ${result.rollupDiff.length === 0 ? `${result.rollupLines} windows byte-identical to the reference` : 'DIFFER'}
${result.rollupDiff.map((l) => `    ${l}`).join('\n')}
  invoices:           ${result.invoiceDiff.length === 0 ? 'byte-identical to meterline bill' : 'DIFFER from meterline bill'} (bill: ${result.invoices})
${result.invoiceDiff.map((l) => `    ${l}`).join('\n')}
  roles exited alone: ${result.selfExits.length === 0 ? 'none' : result.selfExits.join('\n')}
  verdict:            ${ok ? 'PASS' : `FAIL — reproduce with npm run test:chaos -- --seed ${options.seed}`}`);
process.exit(ok ? 0 : 1);
