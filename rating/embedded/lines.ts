// Reads text files line by line, streamed (never the whole file in memory), numbering lines
// from 1 so every rejection can name `file:line`. `-` reads standard input. Lines come in
// batches (one per chunk read): a promise per line would cost more than parsing it.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface LineBatch {
  file: string;
  /** Line number of lines[0]. */
  firstLine: number;
  lines: string[];
}

/**
 * A file that is one pretty-printed JSON array (`[` alone on its first line) is not NDJSON:
 * it is read whole and handed on as a single "line" (JSON allows the newlines inside), whose
 * parser bills each element and names rejected ones by index. Only such files are read whole.
 */
export async function isMultiLineJsonArray(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    // `[` then (after blanks) an object, an array or the end of the line: a Nagios log line
    // (`[1791194400] HOST ALERT: …`) also starts with `[`, and must stay a line.
    if (!/^\[\s*([{[]|$)/m.test(head.split('\n', 1)[0] ?? '')) return false;
    const firstLine = head.split('\n', 1)[0] ?? '';
    try {
      JSON.parse(firstLine);
      return false; // a whole array on one line: ordinary NDJSON
    } catch {
      return true;
    }
  } finally {
    await handle.close();
  }
}

export async function* readLineBatches(
  file: string,
  stdin: Readable = process.stdin,
  options: { jsonArrays?: boolean } = {},
): AsyncGenerator<LineBatch> {
  if (options.jsonArrays && file !== '-' && (await isMultiLineJsonArray(file))) {
    yield { file, firstLine: 1, lines: [(await readFile(file, 'utf8')).replace(/^\uFEFF/, '')] };
    return;
  }
  const input = file === '-' ? stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  input.setEncoding('utf8'); // the decoder keeps multi-byte characters whole across chunks
  let rest = '';
  let next = 1;
  for await (const chunk of input as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    if (lines.length === 0) continue;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
    }
    yield { file, firstLine: next, lines };
    next += lines.length;
  }
  if (rest !== '') yield { file, firstLine: next, lines: [rest.endsWith('\r') ? rest.slice(0, -1) : rest] };
}

/**
 * The lines of a run of whole lines (text cut right after a newline, or the file's last bytes),
 * exactly as readLineBatches gives them: split at \n, a trailing \r dropped. Parse workers use
 * it on the raw chunks the main thread hands them, so decoding and splitting happen there.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * A file as runs of whole lines, undecoded (UTF-8 never uses the byte 0x0A inside a character,
 * so cutting after a newline byte keeps every character whole). Each chunk is a fresh buffer of
 * its own, so it can be transferred to a worker without a copy.
 */
export async function* readLineChunks(file: string, chunkBytes = 1 << 20): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    let carry: Uint8Array = new Uint8Array(0);
    for (;;) {
      const buf = new Uint8Array(carry.length + chunkBytes);
      buf.set(carry, 0);
      const { bytesRead } = await handle.read(buf, carry.length, chunkBytes, null);
      const end = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) yield buf.subarray(0, end);
        return;
      }
      const nl = buf.lastIndexOf(10, end - 1);
      if (nl < 0) {
        carry = buf.subarray(0, end); // a line longer than a chunk: keep reading
        continue;
      }
      carry = buf.slice(nl + 1, end);
      yield buf.subarray(0, nl + 1);
    }
  } finally {
    await handle.close();
  }
}

export interface NumberedLine {
  file: string;
  line: number;
  text: string;
}

/** One line at a time (for small inputs such as Nagios logs). */
export async function* readLines(file: string, stdin: Readable = process.stdin): AsyncGenerator<NumberedLine> {
  for await (const b of readLineBatches(file, stdin)) {
    for (let i = 0; i < b.lines.length; i++) yield { file, line: b.firstLine + i, text: b.lines[i]! };
  }
}
