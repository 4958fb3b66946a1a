// The aggregate role measured alone (issue 11: RSS at 100 000 servers): `meterline aggregate` as
// a child process against the bench's pre-loaded topic, so its memory is the role's own — the
// in-process run shares its heap with the pre-load's arrays and Avro buffers. The child's RSS
// and CPU come from /proc (every thread: librdkafka's too); its V8 breakdown from its own
// /metrics (prom-client's default metrics), scraped while it runs. Done when the group's
// committed offsets reach the topic's ends — after a paced live phase, when one is asked for
// (live-phase.ts).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { bucketsSince, commitBuckets, quantileText } from './commit-latency.js';

export interface RoleProcessRun {
  seconds: number;
  /** VmHWM at the end: the kernel's own peak, no sampling gap. */
  peakRssMiB: number;
  /** RSS once the role joined and restored, before the first record (runtime + tsx + clients). */
  idleRssMiB: number;
  endRssMiB: number;
  cpuUsPerSample: number;
  /** V8's view from the child's /metrics at the scrape with the largest RSS, in MiB. */
  atPeak: Record<string, number>;
  timedOut: boolean;
  /** The bucket of the role's commit histogram holding the 99th percentile (commit-latency.ts). */
  commitP99?: string;
  /** The phase at the fleet's pace after the catch-up (live-phase.ts), when asked for. */
  live?: LiveRun;
}

/** What the role held while it followed a paced input, after catching up. */
export interface LiveRun {
  samples: number;
  seconds: number;
  /** Largest RSS sampled (every 250 ms) in the phase: VmHWM is the catch-up's. */
  peakRssMiB: number;
  endRssMiB: number;
  cpuUsPerSample: number;
  atPeak: Record<string, number>;
  /** As RoleProcessRun's, over the commits of this phase alone. */
  commitP99?: string;
}

export interface RoleProcessOptions {
  admin: Admin;
  env: NodeJS.ProcessEnv;
  groupId: string;
  topic: string;
  ends: ReadonlyMap<number, bigint>;
  samples: number;
  maxSeconds: number;
  /**
   * Extra node flags for the child, e.g. `--max-semi-space-size=16`: on its command line, not in
   * NODE_OPTIONS, which refuses most V8 flags (`--heap-growing-percent`, `--optimize-for-size`).
   */
  nodeOptions?: string;
  /** Run the compiled role (dist/, as the image does) instead of the sources through tsx. */
  built?: boolean;
  /**
   * Once the role has committed the pre-load: produces the paced phase (live-phase.ts) and
   * returns how many samples it sent; the run ends when the role has committed those too.
   */
  live?: () => Promise<number>;
}

const MiB = 2 ** 20;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'bin', 'meterline.js');
// What the image runs (bin/meterline.js picks it when the sources are absent): no tsx, whose
// loader and transpiled-source cache would otherwise count in the role's fixed cost.
const builtEntry = join(root, 'dist', 'cli', 'main.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The program to run `meterline aggregate` from: the compiled dist/ or the sources through tsx. */
export function roleEntry(built: boolean | undefined): string {
  if (built && !existsSync(builtEntry)) throw new Error('bench: no dist/cli/main.js for the built role; run `npm run build` first');
  return built ? builtEntry : launcher;
}

/** A size field of /proc/PID/status (VmRSS, VmHWM, RssAnon, RssFile), in bytes. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** User + system CPU (utime + stime, fields 14 and 15) of a /proc/PID/stat line, in microseconds. */
export function statCpuUs(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS;
}

const cpuUs = (pid: number): number => statCpuUs(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The memory gauges of prom-client's default metrics (our prefix) in a /metrics text, in MiB. */
export function memoryGauges(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = /^meterline_process_(nodejs_heap_size_used_bytes|nodejs_heap_size_total_bytes|nodejs_external_memory_bytes|nodejs_heap_space_size_used_bytes\{space="(\w+)"\})\s+(\S+)/gm;
  for (const m of text.matchAll(re)) {
    const name = m[2] ? `space_${m[2]}` : (m[1] as string).replace(/^nodejs_|_bytes$/g, '');
    out[name] = Math.round(Number(m[3]) / MiB);
  }
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The child's /metrics text; empty if it is not up yet. */
async function scrape(port: number): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}

/** The child's memory gauges, in MiB; empty if its /metrics is not up yet. */
export async function v8Breakdown(port: number): Promise<Record<string, number>> {
  return memoryGauges(await scrape(port));
}

async function committedAll(o: RoleProcessOptions, ends: ReadonlyMap<number, bigint>): Promise<boolean> {
  const [t] = await o.admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
  const at = new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return [...ends].every(([p, end]) => (at.get(p) ?? -1n) >= end);
}

async function topicEnds(o: RoleProcessOptions): Promise<Map<number, bigint>> {
  return new Map((await o.admin.fetchTopicOffsets(o.topic)).map((p) => [p.partition, BigInt(p.high)]));
}

export async function runRoleProcess(o: RoleProcessOptions): Promise<RoleProcessRun> {
  const port = await freePort();
  const env = { ...o.env, PORT: String(port), METERLINE_LOG_LEVEL: 'warn' };
  const entry = roleEntry(o.built);
  const flags = o.nodeOptions?.split(/\s+/).filter((f) => f !== '') ?? [];
  const child = spawn(process.execPath, [...flags, entry, 'aggregate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid as number;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
  const started = performance.now();
  let idleRss = 0;
  let peakSeen = 0;
  let atPeak: Record<string, number> = {};
  let timedOut = false;
  let ends = o.ends;
  try {
    for (let i = 0; ; i++) {
      await new Promise((r) => setTimeout(r, 250));
      if (exited) throw new Error(`bench aggregate: the role process ${exited} before committing the input`);
      const rss = statusKb(pid, 'VmRSS');
      // Before the first commit: the role's fixed cost (runtime, tsx, clients, joined group).
      const [t] = await o.admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
      if ((t?.partitions ?? []).every((p) => BigInt(p.offset) < 0n)) idleRss = rss;
      if (rss > peakSeen && i % 4 === 0) {
        peakSeen = rss;
        atPeak = { rss: Math.round(rss / MiB), ...(await v8Breakdown(port)) };
      }
      if (await committedAll(o, ends)) break;
      if ((performance.now() - started) / 1000 > o.maxSeconds) {
        timedOut = true;
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const commitsBefore = commitBuckets(await scrape(port));
    const commitP99 = quantileText(commitsBefore, 0.99);
    const catchUp = {
      seconds,
      peakRssMiB: Math.round(statusKb(pid, 'VmHWM') / MiB),
      idleRssMiB: Math.round(idleRss / MiB),
      endRssMiB: Math.round(statusKb(pid, 'VmRSS') / MiB),
      cpuUsPerSample: Number((cpuUs(pid) / o.samples).toFixed(1)),
      atPeak,
      timedOut,
      ...(commitP99 !== undefined ? { commitP99 } : {}),
    };
    if (o.live === undefined || timedOut) return catchUp;
    // The paced phase: produced while the role runs, sampled until it committed every record.
    const liveStarted = performance.now();
    const cpu0 = cpuUs(pid);
    let livePeak = 0;
    let atLivePeak: Record<string, number> = {};
    let sent: number | undefined;
    let failed: unknown;
    const producing = o.live().then(
      (n) => (sent = n),
      (err: unknown) => (failed = err),
    );
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      if (exited) throw new Error(`bench aggregate: the role process ${exited} in the live phase`);
      if (failed !== undefined) throw failed;
      const rss = statusKb(pid, 'VmRSS');
      if (rss > livePeak) {
        livePeak = rss;
        atLivePeak = { rss: Math.round(rss / MiB), ...(await v8Breakdown(port)) };
      }
      if (sent !== undefined) {
        ends = await topicEnds(o);
        if (await committedAll(o, ends)) break;
      }
      if ((performance.now() - started) / 1000 > o.maxSeconds) throw new Error(`bench aggregate: the live phase passed --max-seconds ${o.maxSeconds}`);
    }
    await producing;
    const samples = sent ?? 0;
    const liveP99 = quantileText(bucketsSince(commitBuckets(await scrape(port)), commitsBefore), 0.99);
    return {
      ...catchUp,
      live: {
        samples,
        seconds: Number(((performance.now() - liveStarted) / 1000).toFixed(1)),
        peakRssMiB: Math.round(livePeak / MiB),
        endRssMiB: Math.round(statusKb(pid, 'VmRSS') / MiB),
        cpuUsPerSample: Number(((cpuUs(pid) - cpu0) / Math.max(1, samples)).toFixed(1)),
        atPeak: atLivePeak,
        ...(liveP99 !== undefined ? { commitP99: liveP99 } : {}),
      },
    };
  } finally {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  }
}
