// Kafka's own producer benchmark beside `bench ingest`: org.apache.kafka.tools.ProducerPerformance
// (org.apache.kafka:kafka-tools, the stack's Kafka version) with the settings ingest uses —
// acks=all, idempotent, records of the same size, the same 6-partition topic layout — on the
// same broker, so the ratio of the two is measured in one run. The jars are fetched by Maven into
// the stack's cache on first use (like the broker's own).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackSettings } from '../stack/paths.js';
import { mavenRepo } from '../stack/kafka.js';

const run = promisify(execFile);

export interface ProducerPerformanceResult {
  records: number;
  recordsPerSecond: number;
  avgLatencyMs: number;
  p99LatencyMs: number;
}

/** The jar folder, fetched once per pom content. */
async function toolsClasspath(): Promise<string> {
  const s = stackSettings();
  const pom = join(s.paths.root, 'bench', 'kafka-tools', 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const dir = join(s.paths.cacheDir, 'kafka-tools', hash);
  if (!existsSync(join(dir, '.complete'))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await run('mvn', ['-q', '-B', '-f', pom, `-Dmaven.repo.local=${mavenRepo(s)}`, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(join(tmp, '.complete'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  return join(dir, '*');
}

/** ProducerPerformance's summary line: "N records sent, R records/sec (…), A ms avg latency, M ms max latency, … 99th." */
export function parseSummary(output: string): ProducerPerformanceResult {
  const line = output.split('\n').reverse().find((l) => /records sent,.*records\/sec/.test(l));
  const m = line && /^(\d+) records sent, ([\d.]+) records\/sec .*?, ([\d.]+) ms avg latency, .*?, [\d.]+ ms 95th, ([\d.]+) ms 99th/.exec(line.trim());
  if (!m) throw new Error(`ProducerPerformance: no summary line in its output:\n${output.slice(-500)}`);
  return { records: Number(m[1]), recordsPerSecond: Number(m[2]), avgLatencyMs: Number(m[3]), p99LatencyMs: Number(m[4]) };
}

export async function producerPerformance(o: { brokers: string[]; topic: string; records: number; recordSize: number }): Promise<ProducerPerformanceResult> {
  const cp = await toolsClasspath();
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      cp,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      o.topic,
      '--num-records',
      String(o.records),
      '--record-size',
      String(o.recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${o.brokers.join(',')}`,
      'acks=all',
      'enable.idempotence=true',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return parseSummary(stdout);
}
