// Line batches of the event files, parsed, in file order: in-process, or by a pool of worker
// threads (parsing is about half of bill's work and needs no shared state). Results are
// re-sequenced, so the caller sees exactly the order of the files — counters are applied in
// arrival order (SPEC §3), and dedup keeps the first occurrence — whatever the workers' speed.
import { Worker } from 'node:worker_threads';
import { parseLine, type LineResult } from './parse-line.js';
import type { ParseRequest, ParseResponse } from './parse-worker.js';
import { isMultiLineJsonArray, readLineBatches, readLineChunks } from './lines.js';
import { decodeBatch, type WireBatch } from './wire.js';

export interface ParsedBatch {
  file: string;
  firstLine: number;
  results: LineResult[];
  /** From a worker: each sample's id fingerprint (seen-ids.ts), three words each, in item order. */
  ids?: Uint32Array;
}

/** In flight per worker: enough to hide latency, few enough to bound memory (~1 MiB a batch). */
const IN_FLIGHT_PER_WORKER = 3;

function startWorker(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // A checkout runs TypeScript through tsx: the worker registers it first, as bin/meterline.js does.
    const tsx = import.meta.resolve('tsx/esm/api');
    const target = new URL('./parse-worker.ts', self).href;
    return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`, { eval: true });
  }
  return new Worker(new URL('./parse-worker.js', self));
}

export async function* parsedBatches(files: readonly string[], workers: number): AsyncGenerator<ParsedBatch> {
  if (workers <= 0) {
    for (const file of files) {
      for await (const b of readLineBatches(file, process.stdin, { jsonArrays: true })) yield { file: b.file, firstLine: b.firstLine, results: b.lines.map(parseLine) };
    }
    return;
  }
  const pool = Array.from({ length: workers }, startWorker);
  const done = new Map<number, WireBatch>();
  const intern = new Map<string, string>();
  // Batches of raw bytes do not know their first line number: it is counted on hand-over, in order.
  const meta = new Map<number, { file: string; fileStart: boolean }>();
  let lineNo = 1;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (const w of pool) {
    w.on('message', (r: ParseResponse) => {
      done.set(r.seq, r.batch);
      notify();
    });
    w.on('error', (err) => {
      failure ??= err;
      notify();
    });
  }
  const waitForResult = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  let sent = 0;
  let next = 0;
  try {
    for (const file of files) {
      // Regular files go to the workers undecoded (decoding and splitting 2 GB of text is work
      // the main thread need not do); stdin and a whole-file JSON array go as lines.
      const raw = file !== '-' && !(await isMultiLineJsonArray(file));
      const batches = raw ? readLineChunks(file) : readLineBatches(file, process.stdin, { jsonArrays: true });
      let fileStart = true;
      for await (const b of batches) {
        meta.set(sent, { file, fileStart });
        fileStart = false;
        const req: ParseRequest = b instanceof Uint8Array ? { seq: sent, bytes: b } : { seq: sent, lines: b.lines };
        pool[sent % pool.length]!.postMessage(req, b instanceof Uint8Array ? [b.buffer as ArrayBuffer] : []);
        sent++;
        // Hand over what is ready, in order; wait when too much is in flight.
        while (!failure && (done.has(next) || sent - next >= workers * IN_FLIGHT_PER_WORKER)) {
          if (!done.has(next)) await waitForResult();
          else yield take(next++);
        }
        if (failure) throw failure;
      }
    }
    while (next < sent) {
      if (failure) throw failure;
      if (!done.has(next)) await waitForResult();
      else yield take(next++);
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }

  function take(seq: number): ParsedBatch {
    const wire = done.get(seq);
    const results = wire ? decodeBatch(wire, intern) : [];
    const m = meta.get(seq) ?? { file: '', fileStart: false };
    done.delete(seq);
    meta.delete(seq);
    if (m.fileStart) lineNo = 1;
    const firstLine = lineNo;
    lineNo += results.length;
    return wire ? { file: m.file, firstLine, results, ids: wire.ids } : { file: m.file, firstLine, results };
  }
}
