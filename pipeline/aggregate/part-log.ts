// The rollup parts of one partition's next commit, encoded the moment they are emitted: framed
// Avro values back to back in a few buffers (avro/rollup-writer.ts, append mode), with each
// record's end and key.
//
// Why not keep the RollupPart objects until the commit (as before): a commit holds about a
// second of output, ≈ 5.6 parts per input sample, so those objects (a part, its state and
// source, the partId and decimal strings: ≈ 0.5 KB each) outlived every young-generation GC in
// between and were copied by each of them, then promoted: GC was the largest piece of the
// role's CPU per sample. Encoded, a part is ≈ 150 bytes of one buffer that the GC never walks,
// and the objects die young. Bytes are exactly the hand writer's (the same code writes them).
//
// Why chunks, not one buffer grown by doubling: the commit of a window close holds every part of
// the minute that closed, for all the partition's servers at once (≈ 100 000 parts, 15 MiB at
// 100 000 servers over 6 partitions). Doubling copied it into a new buffer at each step and left
// the old copies to the GC — up to twice the log in external memory, for each partition closing
// at about the same time: the role's peak RSS (issue 11). Full buffers are kept as they are and
// the next record goes into the next buffer; chunks come back to a small pool when the
// transaction that read them settles.
import type { RollupPart } from '../aggregation/rollup.js';
import type { PartView } from '../aggregation/part-sink.js';
import { RollupWriter } from '../../avro/rollup-writer.js';
import { fillRecord, type RecordRun } from './commit-records.js';

/** First buffer of a log; each next one is twice the last, up to a chunk. */
const FIRST_BYTES = 64 * 1024;
/** The largest buffer a log starts: a window close's parts (≈ 15 MiB a partition) fill a dozen or so. */
export const CHUNK_BYTES = 1024 * 1024;
/**
 * A record is started in a buffer with at least this much room left, else in the next one. A
 * part is a few hundred bytes; a larger one (long `unique` sets) grows its buffer, copied.
 */
const RECORD_ROOM = 16 * 1024;
/** Chunks kept for reuse by the process's logs once a commit settled (16 MiB at most). */
const POOL_MAX = 16;
const pool: Buffer[] = [];

/** Chunks waiting in the pool (introspection for tests). */
export const pooledChunks = (): number => pool.length;

export class PartLog {
  private readonly writer: RollupWriter;
  /** Buffers the writer filled before its current one, in order (bytes [0, their end) used). */
  private readonly chunks: Buffer[] = [];
  /** Index of the first record in each buffer: chunks[k] for k < chunks.length, then the writer's. */
  private readonly starts: number[] = [0];
  private sealedBytes = 0;
  /** End offset of each record within its buffer (the next one in the same buffer starts there). */
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

  constructor(initialBytes = FIRST_BYTES) {
    this.writer = new RollupWriter(initialBytes);
  }

  get count(): number {
    return this.ends.length;
  }

  /** Bytes of the records here. */
  get bytes(): number {
    return this.sealedBytes + this.writer.length;
  }

  /** Buffers the records are in (introspection for tests). */
  get buffers(): number {
    return this.chunks.length + 1;
  }

  /** Encodes `p` after the records already here; a refused part sets `error` and adds nothing. */
  add(head: Buffer, p: RollupPart): void {
    this.room();
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
    this.room();
    try {
      this.writer.appendView(head, v);
    } catch (err) {
      this.error ??= err;
      return;
    }
    this.added(v.serverId, v.correction);
  }

  /** Moves the writer to a fresh buffer when the current one has too little room left for a record. */
  private room(): void {
    const w = this.writer;
    const used = w.length;
    // An empty buffer is kept whatever its size (it grows if it must): nothing to seal.
    if (used === 0 || w.capacity - used >= RECORD_ROOM) return;
    const size = Math.min(CHUNK_BYTES, 2 * w.capacity);
    const next = size === CHUNK_BYTES ? (pool.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)) : Buffer.allocUnsafe(size);
    this.chunks.push(w.swapBuffer(next));
    this.sealedBytes += used;
    this.starts.push(this.ends.length);
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
    const { ends, keys, chunks, starts, writer } = this;
    let k = 0; // the buffer of the last record filled: records are mostly asked for in order
    return {
      count: ends.length,
      fill: (i, into) => {
        if (i < (starts[k] as number)) k = 0;
        while (k + 1 < starts.length && (starts[k + 1] as number) <= i) k++;
        const from = i === starts[k] ? 0 : (ends[i - 1] as number);
        const to = ends[i] as number;
        const value = k < chunks.length ? (chunks[k] as Buffer).subarray(from, to) : writer.view(from, to);
        fillRecord(into, topic, keys[i] as string, value);
      },
    };
  }

  /**
   * Empty again; its full-size chunks go back to the pool (call only once nothing reads the
   * records: the transaction that took them settled). False when its buffer grew too large to
   * be worth keeping (a record of megabytes).
   */
  clear(): boolean {
    for (const c of this.chunks) if (c.length === CHUNK_BYTES && pool.length < POOL_MAX) pool.push(c);
    this.chunks.length = 0;
    this.starts.length = 1;
    this.sealedBytes = 0;
    this.writer.clear();
    this.ends.length = 0;
    this.keys.length = 0;
    this.corrections = 0;
    this.error = undefined;
    return this.writer.capacity <= CHUNK_BYTES;
  }
}
