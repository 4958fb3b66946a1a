// Worker thread of `meterline bill`: parses batches of lines (JSON.parse + the shared sample
// validation, about half of bill's CPU) while the main thread deduplicates, aggregates and
// rates in the original order. Stateless: batch in, results out, tagged with the batch's seq.
import { parentPort } from 'node:worker_threads';
import { parseLine } from './parse-line.js';
import { splitLines } from './lines.js';
import { encodeBatch, type WireBatch } from './wire.js';

/** Lines, or raw whole-line UTF-8 bytes (decoded and split here, off the main thread). */
export interface ParseRequest {
  seq: number;
  lines?: string[];
  bytes?: Uint8Array;
}

export interface ParseResponse {
  seq: number;
  batch: WireBatch;
}

// The decoder readLineBatches's stream uses (Node's UTF-8 to string): the same characters,
// the same U+FFFD for invalid bytes, a BOM kept.
const utf8 = (b: Uint8Array | undefined): string => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : '');

parentPort?.on('message', (req: ParseRequest) => {
  const lines = req.lines ?? splitLines(utf8(req.bytes));
  const batch = encodeBatch(lines.map(parseLine));
  parentPort?.postMessage({ seq: req.seq, batch } satisfies ParseResponse, [batch.nums.buffer as ArrayBuffer, batch.ids.buffer as ArrayBuffer]);
});
