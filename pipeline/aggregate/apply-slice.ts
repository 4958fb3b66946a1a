// One slice of a fetched metrics.raw batch into an owned partition's state: decode (by hand,
// synchronously; one await for the records the hand reader declines: decode-slice.ts), claim
// the sample ids (dedup.ts), add what is new to the aggregator, and hand the emitted parts, dead
// letters and consumed offset to the partition's owner (owner.ts), whose next transaction
// commits them together.
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AvroSerde } from '../../avro/serde.js';
import { isKind } from '../../lib/errors.js';
import type { Aggregator } from '../aggregation/aggregator.js';
import type { PartSink, PartView } from '../aggregation/part-sink.js';
import type { Sample } from '../samples/sample.js';
import type { FetchedBatch } from '../../kafka/consumer/handler.js';
import { nextOffset, notBefore } from '../../kafka/consumer/offsets.js';
import { LostClaimsError, type SampleDedup } from './dedup.js';
import { decodeSlice } from './decode-slice.js';
import type { DeadRecord, PartitionOwner } from './owner.js';

export interface SliceDeps {
  agg: Aggregator;
  serde: AvroSerde;
  dedup: SampleDedup;
  log: Logger;
  metrics?: Metrics | undefined;
  /** Still the ready owner of its partition (owned.current, partitions.ts). */
  current(o: PartitionOwner): boolean;
  /** Drops the partition's state and restores it from its checkpoint (owned.lose). */
  lose(o: PartitionOwner, err: unknown): void;
}

/**
 * The aggregator's sink for the role: each part to `to` (an owner's emittedView), counting the
 * late samples: the ones inside correction parts (SPEC §4: merged into a stored window).
 */
export class EmittedParts implements PartSink {
  private late = 0;
  constructor(private readonly to: (v: PartView) => void) {}

  part(v: PartView): void {
    this.to(v);
    if (v.correction) this.late += v.state.count;
  }

  /** Reports the late samples counted since the last call. */
  observe(metrics: Metrics | undefined): void {
    if (this.late > 0) metrics?.samplesLate.inc(this.late);
    this.late = 0;
  }
}

/**
 * Decodes, deduplicates and applies one slice to `o`, skipping records before `from` (already
 * in the restored state); false when the slice was left unapplied (partition lost meanwhile,
 * or samples undecodable for now). `beforeApply` is awaited with the largest event time of the
 * samples to be added, before any of them is (the role's close gate: close-gate.ts).
 */
export async function applySlice(
  d: SliceDeps,
  o: PartitionOwner,
  slice: FetchedBatch,
  from: string | undefined,
  heartbeat: () => Promise<void>,
  beforeApply?: (maxTsMs: number) => Promise<void>,
): Promise<boolean> {
  const { agg, serde, dedup, log, metrics } = d;
  const { topic, partition, messages } = slice;
  const now = Date.now();
  const dead: DeadRecord[] = [];
  const reject = (m: { key: Buffer | null; value: Buffer | null; offset: string }, reason: string) =>
    dead.push({
      key: m.key,
      letter: {
        original: m.value ?? Buffer.alloc(0),
        reason: `aggregate: ${reason}`,
        source: 'kafka',
        receivedAtMs: now,
        origin: { topic, partition, offset: m.offset },
      },
    });
  const wanted = notBefore(messages, from); // older records are in the restored state
  // Read by hand where the reader accepts a record, the rest awaited together (decode-slice.ts).
  const { samples: decoded, errors } = await decodeSlice(serde, topic, wanted);
  const samples: Sample[] = [];
  const records: KafkaMessage[] = []; // the record of each sample
  for (let i = 0; i < wanted.length; i++) {
    const m = wanted[i] as KafkaMessage;
    const sample = decoded[i];
    if (sample !== undefined) {
      samples.push(sample);
      records.push(m);
      continue;
    }
    const err = errors?.get(i);
    // A Schema Registry outage says nothing about the record: dead-lettering it would lose
    // a good sample. Leave the slice unresolved (fetched again) and retry in a second.
    if (isKind(err, 'unavailable')) {
      log.warn({ partition, err: (err as Error).message }, 'aggregate: cannot decode yet; retrying');
      await new Promise((res) => setTimeout(res, 1000).unref());
      await heartbeat();
      return false;
    }
    reject(m, (err as Error).message);
  }
  let keep: boolean[];
  try {
    keep = await dedup.claim(samples.map((s, i) => ({ id: s.id, partition, offset: (records[i] as KafkaMessage).offset })));
  } catch (err) {
    if (!(err instanceof LostClaimsError)) throw err;
    d.lose(o, err); // the restore rebuilds the lost claims before anything more is counted
    return false;
  }
  if (!d.current(o)) return false; // lost while waiting for Redis
  if (beforeApply !== undefined) {
    let maxTs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < samples.length; i++) if (keep[i]) maxTs = Math.max(maxTs, (samples[i] as Sample).tsMs);
    await beforeApply(maxTs);
    if (!d.current(o)) return false; // lost while waiting
  }
  // From here to o.consumed() nothing awaits: a commit (timer) can never snapshot half a slice.
  let kept = 0;
  // Parts go to the owner as they are emitted, encoded there without a RollupPart each
  // (part-sink.ts). A failure below loses the partition, which drops them with the rest.
  const emitted = new EmittedParts((v) => o.emittedView(v, now));
  for (let i = 0; i < samples.length; i++) {
    if (!keep[i]) continue;
    const m = records[i] as KafkaMessage;
    try {
      agg.add(samples[i] as Sample, { partition, offset: m.offset }, now, emitted);
      kept++;
    } catch (err) {
      // The core checks a sample completely before it changes state: a rejected sample
      // counted nothing, so it can go to the DLQ. Anything else: state is suspect — restore.
      if (!isKind(err, 'validation')) {
        d.lose(o, err);
        return false;
      }
      reject(m, err.message);
    }
  }
  for (const r of dead) o.deadLetter(r, now);
  metrics?.dlqRecords.inc({ role: 'aggregate' }, dead.length);
  emitted.observe(metrics);
  const wm = agg.watermarkOf(partition);
  if (Number.isFinite(wm)) metrics?.watermarkDelaySeconds.set({ partition: String(partition) }, Math.max(0, now - wm) / 1000);
  o.consumed(messages.length, nextOffset(slice.lastOffset), now);
  metrics?.samplesAggregated.inc(kept);
  metrics?.samplesDeduplicated.inc(keep.filter((k) => !k).length);
  return true;
}
