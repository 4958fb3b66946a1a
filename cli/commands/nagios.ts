// `meterline nagios convert --perfdata FILE [--catalog FILE]`: prints the samples (SPEC §2,
// NDJSON) that a Nagios perfdata file becomes. The file is streamed line by line; a line that
// cannot be taken goes to stderr with its number and reason and the rest is still converted;
// the exit code is 1 when any line was rejected (so a script notices), 0 otherwise.
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
import { perfdataLineToSample, type HostMap } from '../../nagios/index.js';

const USAGE = 'usage: meterline nagios convert --perfdata FILE [--catalog FILE]';

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
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
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
  process.stderr.write(`meterline nagios convert: ${lineNo} lines, ${samples} samples, ${rejected} rejected\n`);
  return rejected > 0 ? 1 : 0;
}

export const command: Command = {
  summary: 'Nagios bridge: convert perfdata files to samples (convert --perfdata FILE)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'convert') return convert(rest);
    if (sub === '--help' || sub === '-h' || sub === undefined) {
      console.log(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
  },
};
