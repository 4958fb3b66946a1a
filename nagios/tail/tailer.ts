// `meterline nagios --perfdata-file F --log-file F`: follows Nagios's files and sends what they
// gain. Each tick reads the new complete lines of every file, turns them into samples and host
// state events, hands them to the injected `send`, and only after `send` resolved saves the new
// positions. A failed send keeps the batch and retries it before reading more; a crash re-reads
// from the last saved position. So delivery is at-least-once, and the deterministic sample ids
// (and idempotent down intervals) make it count once.
import type { Sample } from '../../pipeline/samples/sample.js';
import { parseNagiosLine } from '../lines.js';
import type { HostStateEvent } from '../state.js';
import type { HostMap } from '../to-sample.js';
import { createFileFollower, type FileFollower } from './follow.js';
import { loadTailState, saveTailState, type TailState } from './state-file.js';

export interface TailBatch {
  samples: Sample[];
  events: HostStateEvent[];
}

export interface TailRejected {
  file: string;
  /** Byte offset of the rejected line in its file. */
  offset: number;
  reason: string;
}

export interface TailerOptions {
  /** Most bytes read from one file per tick (default 4 MiB). */
  maxReadBytes?: number;
  /** Files to follow (the perfdata file, nagios.log, or any mix: lines are told apart by content). */
  files: string[];
  stateFile: string;
  hosts: HostMap;
  send: (batch: TailBatch) => Promise<void>;
  /** Lines that could not be taken. */
  onReject?: (r: TailRejected) => void;
  warn?: (message: string) => void;
}

export interface TickResult {
  samples: number;
  events: number;
  rejected: number;
  /** A file has more to read right now (a backlog read in pieces): tick again without waiting. */
  more: boolean;
}

export interface NagiosTailer {
  /** One round: read, convert, send, save. Throws what `send` throws (the batch is kept). */
  tick(): Promise<TickResult>;
  close(): Promise<void>;
}

export async function createNagiosTailer(o: TailerOptions): Promise<NagiosTailer> {
  const saved: TailState = await loadTailState(o.stateFile);
  const followers = new Map<string, FileFollower>(
    o.files.map((path) => [path, createFileFollower({ path, start: saved[path], warn: o.warn, maxReadBytes: o.maxReadBytes })]),
  );
  type Read = { batch: TailBatch; state: TailState; rejected: number; more: boolean };
  let pending: Read | undefined;

  async function readAll(): Promise<Read> {
    const batch: TailBatch = { samples: [], events: [] };
    const state: TailState = { ...saved };
    let rejected = 0;
    for (const [path, f] of followers) {
      for (const line of await f.read()) {
        const r = parseNagiosLine(line.text, o.hosts);
        if (r.kind === 'sample') batch.samples.push(r.sample);
        else if (r.kind === 'state') batch.events.push(r.event);
        else if (r.kind === 'error') {
          rejected++;
          o.onReject?.({ file: path, offset: line.offset, reason: r.reason });
        }
      }
      const p = f.position();
      if (p) state[path] = p;
    }
    return { batch, state, rejected, more: [...followers.values()].some((f) => f.behind()) };
  }

  return {
    async tick() {
      pending ??= await readAll();
      const { batch, state, rejected, more } = pending;
      if (batch.samples.length > 0 || batch.events.length > 0) await o.send(batch);
      pending = undefined;
      const changed = Object.entries(state).some(([k, v]) => JSON.stringify(saved[k]) !== JSON.stringify(v));
      if (changed) {
        await saveTailState(o.stateFile, state);
        Object.assign(saved, state);
      }
      return { samples: batch.samples.length, events: batch.events.length, rejected, more };
    },
    async close() {
      for (const f of followers.values()) await f.close();
    },
  };
}
