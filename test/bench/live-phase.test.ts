// The paced phase of `bench aggregate --live-seconds` (bench/live-phase.ts): it sends rate ×
// seconds samples of the fleet, in the fleet's order, a quarter second's worth per request, and
// fails loudly when the fleet has fewer samples left than the phase needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Producer } from 'kafkajs';
import { produceAtRate } from '../../bench/live-phase.js';
import type { Sent } from '../../loadgen/fleet.js';

function samples(n: number): Iterator<Sent> {
  const all: Sent[] = Array.from({ length: n }, (_, i) => ({
    kind: 'normal',
    sample: { id: `s${i}`, serverId: `srv-${i}`, tsMs: 60_000 * i, intervalS: '60', metrics: { cpu_util_pct: '1' }, labels: {} },
  }));
  return all[Symbol.iterator]();
}

/** A producer that records the batches sent (pure bookkeeping: the phase's own logic is under test). */
function recorder(): { producer: Producer; batches: Message[][] } {
  const batches: Message[][] = [];
  const producer = { send: async ({ messages }: { messages: Message[] }) => void batches.push(messages) } as unknown as Producer;
  return { producer, batches };
}

test('sends rate × seconds samples in the fleet order, a quarter of the rate per request', async () => {
  const { producer, batches } = recorder();
  const sent = await produceAtRate({ producer, topic: 't', samples: samples(1000), encode: async (s) => Buffer.from(s.id), rate: 400, seconds: 1 });
  assert.equal(sent, 400);
  assert.deepEqual(batches.map((b) => b.length), [100, 100, 100, 100]);
  const keys = batches.flat().map((m) => String(m.key));
  assert.deepEqual(keys, Array.from({ length: 400 }, (_, i) => `srv-${i}`));
  assert.equal(String(batches[3]?.[99]?.value), 's399');
});

test('a fleet with too few samples left is an error, not a shorter phase', async () => {
  const { producer } = recorder();
  await assert.rejects(
    produceAtRate({ producer, topic: 't', samples: samples(30), encode: async (s) => Buffer.from(s.id), rate: 40, seconds: 1 }),
    /ran out of samples/,
  );
});
