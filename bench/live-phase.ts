// The aggregate role at the fleet's own pace (issue 11: memory at 100 000 servers). The bench's
// pre-load is read as a backlog: the role catches up at full speed, and what it holds at that
// peak is mostly garbage the allocation rate of catching up leaves between full GCs. A deployed
// role at 100 000 servers scraped once a minute sees ≈ 1 700 samples a second, not 30 000. This
// phase goes on producing the same fleet's next rounds at a given rate once the role has caught
// up, so the report can say what the role holds at that pace — windows still closing every
// minute for every server — beside the backlog's peak.
import type { Message, Producer } from 'kafkajs';
import type { Sent } from '../loadgen/fleet.js';
import type { Sample } from '../pipeline/samples/sample.js';
import { progress } from '../loadgen/progress.js';
import { keepPace } from '../loadgen/pace.js';

export interface LiveOptions {
  producer: Producer;
  topic: string;
  /** The fleet's samples after the pre-load's, in send order. */
  samples: Iterator<Sent>;
  encode: (s: Sample) => Promise<Buffer>;
  /** Samples per second. */
  rate: number;
  seconds: number;
  /** The progress line's name (default: the live phase's). */
  label?: string;
}

/** Batches a second: small enough that the pace is even, large enough not to cost a request per sample. */
const BATCHES_PER_SECOND = 4;

/** Produces rate × seconds samples, paced; returns how many were sent. */
export async function produceAtRate(o: LiveOptions): Promise<number> {
  const total = Math.round(o.rate * o.seconds);
  const perBatch = Math.max(1, Math.round(o.rate / BATCHES_PER_SECOND));
  const bar = progress(o.label ?? 'bench aggregate: live', total);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const batch: Message[] = [];
    while (batch.length < perBatch && sent + batch.length < total) {
      const next = o.samples.next();
      if (next.done === true) throw new Error('bench aggregate: the fleet ran out of samples for the live phase');
      batch.push({ key: next.value.sample.serverId, value: await o.encode(next.value.sample) });
    }
    await o.producer.send({ topic: o.topic, acks: -1, messages: batch });
    sent += batch.length;
    bar.update(sent);
    await keepPace(sent, o.rate, started); // as `meterline loadgen --rate` paces
  }
  bar.end(sent);
  return sent;
}
