// The rollup parts of one partition's next commit, encoded the moment they are emitted: framed
// Avro values back to back in one buffer (avro/rollup-writer.ts, append mode), with each
// record's end and key.
//
// Why not keep the RollupPart objects until the commit (as before): a commit holds about a
// second of output, ≈ 5.6 parts per input sample, so those objects (a part, its state and
// source, the partId and decimal strings: ≈ 0.5 KB each) outlived every young-generation GC in
// between and were copied by each of them, then promoted: GC was the largest piece of the
// role's CPU per sample. Encoded, a part is ≈ 150 bytes of one buffer that the GC never walks,
// and the objects die young. Bytes are exactly the hand writer's (the same code writes them).
import type { RollupPart } from '../aggregation/rollup.js';
import type { PartView } from '../aggregation/part-sink.js';
import { RollupWriter } from '../../avro/rollup-writer.js';
import { fillRecord, type RecordRun } from './commit-records.js';

/** First buffer of a log (unless told what the last commit needed); it doubles as a commit needs. */
const INITIAL_BYTES = 64 * 1024;
/** A log that grew past this (a migration's flush, a long stall) is not kept for reuse. */
export const MAX_REUSED_BYTES = 8 * 1024 * 1024;

/**
 * The first buffer of a new log, after a commit that wrote `lastBytes`: a bit more than that, so
 * that a steady stream of commits does not grow each fresh log from 64 KiB by doubling (about six
 * copies of up to a few MiB per commit while a transaction is in flight, measured as ≈ 14 % of
 * the log's CPU). Never more than a log that is still worth reusing.
 */
export function initialBytesAfter(lastBytes: number): number {
  return Math.min(MAX_REUSED_BYTES, Math.max(INITIAL_BYTES, Math.ceil(lastBytes * 1.25)));
}

export class PartLog {
  private readonly writer: RollupWriter;
  /** End offset of each record in the writer's buffer (the next one starts there). */
  private readonly ends: number[] = [];
  /** Each record's key: the part's server id (usage.rollups is keyed like metrics.raw). */
  private readonly keys: string[] = [];
  /** Correction parts among them (CommitInfo). */
  corrections = 0;
  /**
   * The first part the writer refused (a value avsc would refuse too): the commit that takes
   * this log fails with it, so the partition is restored rather than the part silently lost.
   */
  error: unknown;

  constructor(initialBytes = INITIAL_BYTES) {
    this.writer = new RollupWriter(initialBytes);
  }

  get count(): number {
    return this.ends.length;
  }

  /** Bytes of the records here. */
  get bytes(): number {
    return this.writer.length;
  }

  /** Encodes `p` after the records already here; a refused part sets `error` and adds nothing. */
  add(head: Buffer, p: RollupPart): void {
    try {
      this.writer.append(head, p);
    } catch (err) {
      this.error ??= err;
      return;
    }
    this.added(p.serverId, p.correction);
  }

  /** add() of the part a view stands for (the aggregator's sink), without the object: same bytes. */
  addView(head: Buffer, v: PartView): void {
    try {
      this.writer.appendView(head, v);
    } catch (err) {
      this.error ??= err;
      return;
    }
    this.added(v.serverId, v.correction);
  }

  private added(serverId: string, correction: boolean): void {
    this.ends.push(this.writer.length);
    this.keys.push(serverId);
    if (correction) this.corrections++;
  }

  /**
   * The records as a run (commit-records.ts), in the order added: record i written into `into`,
   * its value a view of this log (valid until clear).
   */
  run(topic: string): RecordRun {
    const { ends, keys, writer } = this;
    return {
      count: ends.length,
      fill: (i, into) => fillRecord(into, topic, keys[i] as string, writer.view(i === 0 ? 0 : (ends[i - 1] as number), ends[i] as number)),
    };
  }

  /** Empty again; false when its buffer grew too large to be worth keeping. */
  clear(): boolean {
    this.writer.clear();
    this.ends.length = 0;
    this.keys.length = 0;
    this.corrections = 0;
    this.error = undefined;
    return this.writer.capacity <= MAX_REUSED_BYTES;
  }
}
