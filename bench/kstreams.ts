// `meterline bench aggregate --compare-kstreams`: the Kafka Streams reference implementation of
// the same aggregation (the shared bench's kstreams-reference.jar, built with Maven) on the same
// broker and input topic, in the same run, so the ratio is measured under the same conditions.
// Its `stream` command runs until killed: timed from its start until its consumer group's
// committed offsets reach the end of the input. Its `raw` command is a plain Java read.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import type { Meter } from '../catalog/types.js';
import { UsageError } from '../cli/command.js';

/** Where the shared bench's README builds the jar (relative to the repository). */
export const DEFAULT_KSTREAMS_JAR = '../shared/bench/kstreams/target/kstreams-reference.jar';

export interface KstreamsRun {
  perSecond: number;
  seconds: number;
  /** The plain Java consumer's read of the same topic, records/s from subscribe. */
  javaRawPerSecond: number;
}

export function checkJar(jar: string): void {
  if (!existsSync(jar))
    throw new UsageError(`--compare-kstreams: ${jar} not found; build it with mvn -q -f <kstreams dir>/pom.xml package, or pass --kstreams-jar`);
}

/** meters.tsv as the reference reads it: name metric kind aggregation factor interval_s per_seconds. */
const metersTsv = (meters: readonly Meter[]): string =>
  meters
    .map((m) => [m.name, m.metric, m.kind, m.aggregation, m.factor.toString(), m.intervalS.toString(), m.perSeconds.toString()].join('\t'))
    .join('\n') + '\n';

function java(args: string[]): { done: Promise<string>; kill(): void } {
  const child = spawn('java', ['-jar', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', () => undefined);
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

/** True when `groupId`'s committed offsets reached `ends` on every partition. */
async function atEnd(kafka: Kafka, groupId: string, topic: string, ends: ReadonlyMap<number, bigint>): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return [...ends].every(([p, end]) => BigInt(committed?.partitions.find((x) => x.partition === p)?.offset ?? '-1') >= end);
  } finally {
    await admin.disconnect();
  }
}

export async function runKstreams(opts: {
  jar: string;
  kafka: Kafka;
  brokers: readonly string[];
  input: string;
  output: string;
  records: number;
  ends: ReadonlyMap<number, bigint>;
  meters: readonly Meter[];
  maxSeconds: number;
}): Promise<KstreamsRun> {
  const dir = mkdtempSync(join(tmpdir(), 'meterline-kstreams-'));
  try {
    const raw = await java([opts.jar, 'raw', '--bootstrap', opts.brokers.join(','), '--topic', opts.input, '--records', String(opts.records)]).done;
    const rawSeconds = Number(/seconds_from_subscribe=([\d.]+)/.exec(raw)?.[1] ?? NaN);
    const meters = join(dir, 'meters.tsv');
    writeFileSync(meters, metersTsv(opts.meters));
    const appId = `${opts.input}-kstreams`;
    const t0 = performance.now();
    const app = java([
      opts.jar, 'stream', '--bootstrap', opts.brokers.join(','), '--input', opts.input, '--output', opts.output,
      '--app-id', appId, '--schema', fileURLToPath(new URL('../avro/sample.avsc', import.meta.url)), '--meters', meters, '--state-dir', join(dir, 'state'),
    ]);
    const deadline = t0 + opts.maxSeconds * 1000;
    // Polled: the reference reports progress only through its group's committed offsets.
    while (!(await atEnd(opts.kafka, appId, opts.input, opts.ends)) && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    const seconds = (performance.now() - t0) / 1000;
    app.kill();
    await app.done;
    return { perSecond: opts.records / seconds, seconds, javaRawPerSecond: opts.records / rawSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
