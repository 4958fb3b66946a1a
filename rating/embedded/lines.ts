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
async function isMultiLineJsonArray(file: string): Promise<boolean> {
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
