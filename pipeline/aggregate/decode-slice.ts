// The samples of one slice of metrics.raw, decoded: synchronously by the hand reader for every
// record it accepts (serde.readSample), and through serde.decode (avsc, a registry lookup) only
// for the records it declines, all of those awaited together.
//
// Why: the hand reader is synchronous, yet every record went through the async decode, a
// promise and a settled result per record, plus a microtask each, on the path every input
// sample takes. For a record the reader accepts, decode gives that very record, so the result
// per record is the same either way; a declined record takes the path it always took (its
// error, and so its dead letter or retry, unchanged).
import type { KafkaMessage } from 'kafkajs';
import type { AvroSerde } from '../../avro/serde.js';
import { recordToSample } from '../../avro/records.js';
import type { Sample } from '../samples/sample.js';

export interface DecodedSlice {
  /** Per input record, in order: its sample, or undefined when it could not be read. */
  samples: (Sample | undefined)[];
  /** Why each unread record (by index) could not be read; absent when every record was read. */
  errors: Map<number, unknown> | undefined;
}

/** Decodes `messages` of `topic`; never rejects (a record's failure is in `errors`). */
export async function decodeSlice(serde: AvroSerde, topic: string, messages: readonly KafkaMessage[]): Promise<DecodedSlice> {
  const n = messages.length;
  const samples = new Array<Sample | undefined>(n);
  let declined: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const value = (messages[i] as KafkaMessage).value;
    const read = value && serde.readSample ? serde.readSample(topic, value) : undefined;
    if (read !== undefined) samples[i] = read.toSample();
    else (declined ??= []).push(i);
  }
  if (declined === undefined) return { samples, errors: undefined };
  const errors = new Map<number, unknown>();
  const settled = await Promise.allSettled(
    declined.map(async (i) => {
      const value = (messages[i] as KafkaMessage).value;
      if (!value) throw new Error('record has no value');
      return recordToSample(await serde.decode('sample', topic, value));
    }),
  );
  for (let j = 0; j < declined.length; j++) {
    const i = declined[j] as number;
    const r = settled[j] as PromiseSettledResult<ReturnType<typeof recordToSample>>;
    if (r.status === 'fulfilled' && r.value.ok) samples[i] = r.value.sample;
    else errors.set(i, r.status === 'rejected' ? r.reason : new Error(r.value.ok ? '' : r.value.reason));
  }
  return { samples, errors };
}
