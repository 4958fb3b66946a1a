// The aggregate role's fixed memory (issue 11): `meterline aggregate` started as a child process
// on fresh, empty topics (its own prefix), measured once it is up — /readyz answers and its
// librdkafka clients (one per owned partition, threads counted) have stopped appearing — and
// again after it has idled, when V8's memory reducer has shrunk the young generation and
// released the start-up garbage. RSS split as the kernel counts it: anonymous (heaps, stacks,
// librdkafka) and file-backed (the node binary's and libraries' pages touched, shared between
// node processes on one machine, but counted in each one's RSS and in a container's).
//
//   node --import tsx bench/role-idle.ts [--built] [--settle 45] [--node-options "--flag …"]
//
// after `meterline stack up && set -a && . .stack/env && set +a` (and `npm run build` for --built).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/env.js';
import { createKafka } from '../kafka/client.js';
import { topicNames } from '../kafka/topics.js';
import { freePort, roleEntry, statusKb, v8Breakdown } from './role-process.js';

const { values: opts } = parseArgs({
  options: {
    built: { type: 'boolean', default: false },
    settle: { type: 'string', default: '45' },
    'node-options': { type: 'string', default: '' },
  },
});
const settleMs = Number(opts.settle) * 1000;
const MiB = 2 ** 20;
const mib = (b: number): number => Math.round(b / MiB);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const threads = (pid: number): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** RSS of the mappings of the largest files (and [heap]/[anon]) of a process, in MiB. */
function mappings(pid: number): Record<string, number> {
  const kb = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+(?:\s+(.*))?$/.exec(line);
    if (head) name = head[1]?.trim() || '[anon]';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb.set(name, (kb.get(name) ?? 0) + Number(rss[1]));
  }
  const top = [...kb].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return Object.fromEntries(top.map(([n, k]) => [n.replace(/^.*\//, ''), Math.round(k / 1024)]));
}

function snapshot(pid: number, v8: Record<string, number>) {
  return {
    rssMiB: mib(statusKb(pid, 'VmRSS')),
    anonMiB: mib(statusKb(pid, 'RssAnon')),
    fileMiB: mib(statusKb(pid, 'RssFile')),
    threads: threads(pid),
    heapTotalMiB: v8.heap_size_total,
    heapUsedMiB: v8.heap_size_used,
    externalMiB: v8.external_memory,
    newSpaceMiB: v8.space_new,
  };
}

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
  } catch {
    return false;
  }
}

const prefix = `idle-${randomBytes(4).toString('hex')}.`;
const port = await freePort();
const env = {
  ...process.env,
  KAFKA_TOPIC_PREFIX: prefix,
  PORT: String(port),
  METERLINE_LOG_LEVEL: 'warn',
  METERLINE_CATALOG: process.env.METERLINE_CATALOG ?? fileURLToPath(new URL('../examples/catalog.yaml', import.meta.url)),
};
const flags = opts['node-options'].split(/\s+/).filter((f) => f !== '');
const child = spawn(process.execPath, [...flags, roleEntry(opts.built), 'aggregate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const pid = child.pid as number;
let exited: string | undefined;
child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
const started = performance.now();
try {
  // Up: /readyz answers and no librdkafka client (threads) has appeared for 2 s.
  let last = -1;
  let stableSince = 0;
  for (;;) {
    if (exited) throw new Error(`bench role-idle: the role process ${exited} before it was up`);
    if (performance.now() - started > 120_000) throw new Error('bench role-idle: the role was not up within 120 s');
    await sleep(250);
    const n = threads(pid);
    if (n !== last) [last, stableSince] = [n, performance.now()];
    if (performance.now() - stableSince >= 2000 && (await ready(port))) break;
  }
  const upSeconds = (performance.now() - started) / 1000;
  const up = snapshot(pid, await v8Breakdown(port));
  await sleep(settleMs);
  const settled = snapshot(pid, await v8Breakdown(port));
  console.table({ [`up (${upSeconds.toFixed(1)} s)`]: up, [`after ${opts.settle} s idle`]: settled });
  console.log('largest mappings after idling (RSS, MiB):', mappings(pid));
  console.log(`peak RSS (VmHWM) ${mib(statusKb(pid, 'VmHWM'))} MiB; ${opts.built ? 'built dist/' : 'sources through tsx'}`);
} finally {
  if (!exited) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
  const admin = createKafka(loadConfig(process.env).kafka, { level: 'nothing' }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topicNames(prefix)) }).catch(() => undefined);
  await admin.disconnect();
}
