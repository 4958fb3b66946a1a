// Worker thread of `meterline bill`: parses batches of lines (JSON.parse + the shared sample
// validation, about half of bill's CPU) while the main thread deduplicates, aggregates and
// rates in the original order. Stateless: batch in, results out, tagged with the batch's seq.
import { parentPort } from 'node:worker_threads';
import { parseLine, type LineResult } from './parse-line.js';

export interface ParseRequest {
  seq: number;
  lines: string[];
}

export interface ParseResponse {
  seq: number;
  results: LineResult[];
}

parentPort?.on('message', (req: ParseRequest) => {
  const results = req.lines.map(parseLine);
  parentPort?.postMessage({ seq: req.seq, results } satisfies ParseResponse);
});
