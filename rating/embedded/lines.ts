// Reads text files line by line, streamed (never the whole file in memory), numbering lines
// from 1 so every rejection can name `file:line`. `-` reads standard input.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface NumberedLine {
  file: string;
  line: number;
  text: string;
}

export async function* readLines(file: string, stdin: Readable = process.stdin): AsyncGenerator<NumberedLine> {
  const input = file === '-' ? stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    yield { file, line, text };
  }
}
