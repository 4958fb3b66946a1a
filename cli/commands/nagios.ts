// `meterline nagios convert --perfdata FILE [--catalog FILE]`: prints the samples (SPEC §2,
// NDJSON) that a Nagios perfdata file becomes. The file is streamed line by line; a line that
// cannot be taken goes to stderr with its number and reason and the rest is still converted;
// the exit code is 1 when any line was rejected (so a script notices), 0 otherwise.
// `meterline nagios --perfdata-file F --log-file F …`: the tail mode (nagios/tail/): follows the
// files, sends what they gain to ingest over HTTP (`--url`, `--key`) or prints it as NDJSON,
// and remembers how far it got in `--state-file` across restarts.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { MeterlineError } from '../../lib/errors.js';
import { sampleToJson } from '../../pipeline/samples/parse.js';
import { setTimeout as delay } from 'node:timers/promises';
import { parseDuration } from '../../lib/duration.js';
import { untilShutdown } from '../../lib/signals.js';
import { perfdataLineToSample, type HostMap, type HostStateEvent } from '../../nagios/index.js';
import { createNagiosTailer, type TailBatch } from '../../nagios/tail/tailer.js';

export const USAGE = [
  'usage: meterline nagios convert --perfdata FILE [--catalog FILE]',
  '       meterline nagios --perfdata-file F --log-file F [--state-file S] [--catalog FILE]',
  '                        [--url URL --key KEY] [--interval 2s] [--once]',
].join('\n');

/** The catalogue's `hosts:` map (Nagios HOSTNAME → server_id); only that key is read here. */
export async function readHostMap(file: string): Promise<HostMap> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(file, 'utf8')); // YAML is a superset of JSON
  } catch (err) {
    throw new MeterlineError('config', `cannot read catalogue ${file}: ${(err as Error).message}`, { cause: err });
  }
  const hosts = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).hosts : undefined;
  if (hosts === undefined || hosts === null) return {};
  if (typeof hosts !== 'object' || Array.isArray(hosts)) throw new MeterlineError('config', `${file}: hosts must be a map of Nagios host name to server_id`);
  const out: Record<string, string> = {};
  for (const [host, server] of Object.entries(hosts)) {
    if (typeof server !== 'string' || server === '') throw new MeterlineError('config', `${file}: hosts.${host} must be a server_id string`);
    out[host] = server;
  }
  return out;
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

async function convert(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { perfdata: { type: 'string' }, catalog: { type: 'string' } });
  if (!values.perfdata) throw new UsageError(`--perfdata FILE is required; ${USAGE}`);
  const hosts = values.catalog ? await readHostMap(values.catalog) : {};
  const input = createReadStream(values.perfdata, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new MeterlineError('validation', `cannot read ${values.perfdata}: ${(err as Error).message}`, { cause: err });
  }
  let lineNo = 0;
  let samples = 0;
  let rejected = 0;
  // Progress for big files, only where a person watches (stderr is a terminal).
  const progress = process.stderr.isTTY === true;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (progress && lineNo % 50_000 === 0) process.stderr.write(`\r${lineNo} lines, ${samples} samples, ${rejected} rejected`);
    const start = line.trimStart();
    if (start === '' || start.startsWith('#')) continue;
    const r = perfdataLineToSample(line, hosts);
    if (!r.ok) {
      rejected++;
      process.stderr.write(`${values.perfdata}:${lineNo}: ${r.reason}\n`);
    } else if (r.sample) {
      samples++;
      await write(`${JSON.stringify(sampleToJson(r.sample))}\n`);
    }
  }
  if (progress && lineNo >= 50_000) process.stderr.write('\n');
  process.stderr.write(`meterline nagios convert: ${lineNo} lines, ${samples} samples, ${rejected} rejected\n`);
  return rejected > 0 ? 1 : 0;
}

/** Sender to ingest: samples as NDJSON to /v1/samples, host states as JSON lines to /v1/nagios/events. */
function httpSender(url: string, key: string | undefined): (batch: TailBatch) => Promise<void> {
  const post = async (path: string, contentType: string, body: string): Promise<void> => {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (key) headers.authorization = `Bearer ${key}`;
    const res = await fetch(new URL(path, url), { method: 'POST', headers, body });
    if (!res.ok) {
      throw new MeterlineError('unavailable', `POST ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
  };
  return async (batch) => {
    if (batch.samples.length > 0) {
      await post('/v1/samples', 'application/x-ndjson', batch.samples.map((s) => JSON.stringify(sampleToJson(s))).join('\n'));
    }
    if (batch.events.length > 0) await post('/v1/nagios/events', 'text/plain', batch.events.map(eventLine).join('\n'));
  };
}

/** A host state as a Statusengine-style history row, which every Nagios reader here accepts. */
const eventLine = (e: HostStateEvent): string =>
  JSON.stringify({ hostname: e.host, state_time: e.tsMs / 1000, state: e.state, is_hardstate: e.hard });

async function tail(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    'perfdata-file': { type: 'string' }, 'log-file': { type: 'string' }, 'state-file': { type: 'string' },
    catalog: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' },
    interval: { type: 'string' }, once: { type: 'boolean' },
  });
  const files = [values['perfdata-file'], values['log-file']].filter((f): f is string => f !== undefined);
  if (files.length === 0) throw new UsageError(`--perfdata-file and/or --log-file is required\n${USAGE}`);
  let intervalMs: number;
  try {
    intervalMs = parseDuration(values.interval ?? '2s');
  } catch (err) {
    throw new UsageError(`--interval: ${(err as Error).message}`);
  }
  const hosts = values.catalog ? await readHostMap(values.catalog) : {};
  const send = values.url
    ? httpSender(values.url, values.key)
    : async (b: TailBatch) => {
        for (const s of b.samples) await write(`${JSON.stringify(sampleToJson(s))}\n`);
        for (const e of b.events) await write(`${eventLine(e)}\n`);
      };
  const tailer = await createNagiosTailer({
    files, stateFile: values['state-file'] ?? 'meterline-nagios.state.json', hosts, send,
    onReject: (r) => process.stderr.write(`${r.file}@${r.offset}: ${r.reason}\n`),
    warn: (m) => process.stderr.write(`meterline nagios: ${m}\n`),
  });
  const stop = new AbortController();
  void untilShutdown().then(() => stop.abort());
  /** One round; true when a file has more to read at once. */
  const round = async (): Promise<boolean> => {
    try {
      const r = await tailer.tick();
      if (r.samples + r.events + r.rejected > 0) {
        process.stderr.write(`meterline nagios: sent ${r.samples} samples, ${r.events} host states; ${r.rejected} lines rejected\n`);
      }
      return r.more;
    } catch (err) {
      if (values.once) throw err;
      // Kept and retried next round: nothing is lost while ingest is away.
      process.stderr.write(`meterline nagios: send failed, retrying: ${(err as Error).message}\n`);
      return false;
    }
  };
  try {
    let behind: boolean;
    do {
      behind = await round();
      if (!values.once && !behind) await delay(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    } while ((!values.once || behind) && !stop.signal.aborted);
  } finally {
    await tailer.close();
  }
  return 0;
}

export const command: Command = {
  summary: 'Nagios bridge: convert perfdata files to samples, or follow Nagios files and send what they gain',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'convert') return convert(rest);
    if (sub?.startsWith('--') && sub !== '--help') return tail(argv);
    if (sub === '--help' || sub === '-h' || sub === undefined) {
      console.log(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
  },
};
