// A text body of Nagios lines → per-line outcomes, pure. Lines are split on LF (CRLF too) and
// decoded one by one, so one bad line (invalid UTF-8, an unknown format) is rejected with its
// line number while the rest of the body is still taken.
import type { Sample } from '../../pipeline/samples/sample.js';
import { parseNagiosLine, type HostMap } from '../../nagios/index.js';
import type { HostStateEvent } from '../../nagios/state.js';

export type LineOutcome =
  | { line: number; bytes: Buffer; kind: 'sample'; sample: Sample }
  | { line: number; bytes: Buffer; kind: 'state'; event: HostStateEvent }
  | { line: number; bytes: Buffer; kind: 'ignored' }
  | { line: number; bytes: Buffer; kind: 'error'; code: 'utf8' | 'invalid'; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Number of lines that are not blank (the batch-size limit counts these). */
export function countLines(body: Buffer): number {
  let n = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      if (i > start && !(i === start + 1 && body[start] === 0x0d)) n++;
      start = i + 1;
    }
  }
  return n;
}

export function parseNagiosBody(body: Buffer, hosts: HostMap): LineOutcome[] {
  const out: LineOutcome[] = [];
  let start = 0;
  let line = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i !== body.length && body[i] !== 0x0a) continue;
    line++;
    const bytes = body.subarray(start, i);
    start = i + 1;
    if (i === body.length && bytes.length === 0) break; // the final newline ends the last line
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      out.push({ line, bytes, kind: 'error', code: 'utf8', reason: 'invalid UTF-8' });
      continue;
    }
    const r = parseNagiosLine(text, hosts);
    if (r.kind === 'sample') out.push({ line, bytes, kind: 'sample', sample: r.sample });
    else if (r.kind === 'state') out.push({ line, bytes, kind: 'state', event: r.event });
    else if (r.kind === 'ignored') out.push({ line, bytes, kind: 'ignored' });
    else out.push({ line, bytes, kind: 'error', code: 'invalid', reason: r.reason });
  }
  return out;
}
