// Any Nagios line meterline understands, told apart by how it starts:
//   `DATATYPE::…`, `[SERVICEPERFDATA]`, `[HOSTPERFDATA]`  → perfdata-file line → a sample
//   `[1790812800] …`                                     → nagios.log entry → maybe a host state
//   `{…}`                                                → Statusengine statechange JSON
// Blank lines and `#` comments are skipped. So one file (`bill --nagios`, the HTTP bodies)
// may mix all three. Reading is pure over any (async) iterable of lines.
import type { Sample } from '../pipeline/samples/sample.js';
import { isNagiosLogLine, parseNagiosLogLine } from './nagios-log.js';
import { isPerfdataFileLine } from './perfdata-file.js';
import type { HostStateEvent } from './state.js';
import { parseStatusengineLine } from './statusengine.js';
import { perfdataLineToSample, type HostMap } from './to-sample.js';

export type NagiosLine =
  | { kind: 'sample'; sample: Sample }
  | { kind: 'state'; event: HostStateEvent }
  /** Understood and deliberately not used (service alert, notification, empty perfdata, …). */
  | { kind: 'ignored' }
  | { kind: 'error'; reason: string };

export function parseNagiosLine(line: string, hosts: HostMap): NagiosLine {
  const text = line.replace(/\r$/, '').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start === '' || start.startsWith('#')) return { kind: 'ignored' };
  if (isPerfdataFileLine(start)) {
    const r = perfdataLineToSample(start, hosts);
    if (!r.ok) return { kind: 'error', reason: r.reason };
    return r.sample ? { kind: 'sample', sample: r.sample } : { kind: 'ignored' };
  }
  if (isNagiosLogLine(start)) return parseNagiosLogLine(start);
  if (start.startsWith('{')) return parseStatusengineLine(start);
  return { kind: 'error', reason: 'not a perfdata-file, nagios.log or Statusengine line' };
}

export interface Rejected {
  /** 1-based line number in the input. */
  line: number;
  reason: string;
}

export interface NagiosInput {
  samples: Sample[];
  events: HostStateEvent[];
  rejected: Rejected[];
  /** Lines read, including blank, ignored and rejected ones. */
  lines: number;
  ignored: number;
}

/** Reads a whole input of mixed Nagios lines (e.g. a readline interface over a file). */
export async function readNagiosLines(lines: AsyncIterable<string> | Iterable<string>, hosts: HostMap): Promise<NagiosInput> {
  const out: NagiosInput = { samples: [], events: [], rejected: [], lines: 0, ignored: 0 };
  for await (const line of lines) {
    out.lines++;
    const r = parseNagiosLine(line, hosts);
    if (r.kind === 'sample') out.samples.push(r.sample);
    else if (r.kind === 'state') out.events.push(r.event);
    else if (r.kind === 'ignored') out.ignored++;
    else out.rejected.push({ line: out.lines, reason: r.reason });
  }
  return out;
}
