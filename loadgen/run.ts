// Drives a fleet through a sender and/or into an NDJSON file, bounded in time, with progress.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { sampleToJson } from '../pipeline/samples/parse.js';
import { fleet, emptyStats, type FleetOptions, type FleetStats } from './fleet.js';
import type { Sender, SendStats } from './senders.js';
import { progress } from './progress.js';
import { keepPace } from './pace.js';

export interface LoadgenOptions {
  fleet: FleetOptions;
  sender?: Sender;
  /** NDJSON of every sample handed to the sender (duplicates included), in send order. */
  outFile?: string;
  maxSeconds: number;
  /** Samples per second; unlimited when undefined. */
  rate?: number;
  showProgress?: boolean;
}

export interface LoadgenResult {
  fleet: FleetStats;
  send?: SendStats;
  seconds: number;
  stoppedByTimeLimit: boolean;
}

async function write(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

export async function runLoadgen(opts: LoadgenOptions): Promise<LoadgenResult> {
  const stats = emptyStats();
  const total = opts.fleet.servers * opts.fleet.rounds;
  const bar = opts.showProgress === false ? undefined : progress(opts.sender ? 'loadgen' : 'loadgen (file only)', total);
  const out = opts.outFile ? createWriteStream(opts.outFile) : undefined;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  let stoppedByTimeLimit = false;
  const extra = () => (opts.sender ? `accepted ${opts.sender.stats.accepted}, rejected ${opts.sender.stats.rejected}` : undefined);
  try {
    for (const { sample } of fleet(opts.fleet, stats)) {
      if (performance.now() > deadline) {
        stoppedByTimeLimit = true;
        stats.sent--; // yielded but not sent
        break;
      }
      if (opts.rate) await keepPace(stats.sent, opts.rate, started);
      if (out) await write(out, `${JSON.stringify(sampleToJson(sample))}\n`);
      if (opts.sender) await opts.sender.send(sample);
      bar?.update(stats.generated, extra());
    }
    if (opts.sender) await opts.sender.flush();
  } finally {
    if (out) {
      out.end();
      await once(out, 'close');
    }
  }
  const seconds = (performance.now() - started) / 1000;
  bar?.end(stats.generated, extra());
  return { fleet: stats, ...(opts.sender ? { send: opts.sender.stats } : {}), seconds, stoppedByTimeLimit };
}
