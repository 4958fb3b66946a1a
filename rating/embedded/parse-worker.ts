// Worker thread of `meterline bill`: parses batches of lines (JSON.parse + the shared sample
// validation, about half of bill's CPU) while the main thread deduplicates, aggregates and
// rates in the original order. Stateless: batch in, results out, tagged with the batch's seq.
import { parentPort } from 'node:worker_threads';
import { parseLine } from './parse-line.js';
import { encodeBatch, type WireBatch } from './wire.js';

export interface ParseRequest {
  seq: number;
  lines: string[];
}

export interface ParseResponse {
  seq: number;
  batch: WireBatch;
}

parentPort?.on('message', (req: ParseRequest) => {
  const batch = encodeBatch(req.lines.map(parseLine));
  parentPort?.postMessage({ seq: req.seq, batch } satisfies ParseResponse, [batch.nums.buffer as ArrayBuffer]);
});
