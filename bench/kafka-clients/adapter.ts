// What each Kafka client under comparison implements for `meterline bench kafka-clients`
// (issue 11 item 1): the three workloads the roles put on a client, each timed by the adapter
// itself so a client's own start-up (connect, InitProducerId) stays out of the figure where the
// client allows it, and the group join is inside it where the issue asks for it.

/** One pre-encoded record: the server id as key, an Avro sample (Confluent framing) as value. */
export interface BenchRecord {
  key: string;
  value: Buffer;
}

export interface ProduceSettings {
  /**
   * Records per produce call for the clients that batch per call (kafkajs, @platformatic/kafka):
   * also the cap inside a transaction, as one call's records for a partition form one record
   * batch and a broker refuses a batch over max.message.bytes (1 MiB) for good.
   */
  batch: number;
  /** librdkafka's linger.ms (it batches by itself from a per-record queue). */
  lingerMs: number;
}

export interface TransformResult {
  /** From the group join to the commit of the transaction holding the last input offset. */
  seconds: number;
  /** sendOffsetsToTransaction + commit of every transaction, ms. */
  commitMs: number[];
  /** The consumer group whose offsets the transactions committed (checked by the runner). */
  groupId: string;
}

export interface ClientAdapter {
  name: string;
  /** Idempotent, acks=all: seconds from the first send to the last acknowledgement. */
  produce(topic: string, records: readonly BenchRecord[], settings: ProduceSettings): Promise<number>;
  /** A fresh consumer group reads `total` records of `topic`: seconds from the group join. */
  readGroup(topic: string, total: number): Promise<number>;
  /**
   * Consume-transform-produce: a read_committed group reads `total` records of `input` and writes
   * each to `output` inside transactions committed every `commitEveryMs`, the consumed offsets
   * sent to the transaction (sendOffsetsToTransaction), never committed by the consumer itself.
   */
  transform(input: string, output: string, total: number, commitEveryMs: number, settings: ProduceSettings): Promise<TransformResult>;
}

/** Input offsets consumed so far: topic-partition → next offset to read. */
export class OffsetTracker {
  private readonly next = new Map<number, bigint>();
  private count = 0;

  /** Records one consumed record (offsets arrive in order within a partition). */
  add(partition: number, offset: bigint | string): void {
    this.next.set(partition, BigInt(offset) + 1n);
    this.count++;
  }

  get consumed(): number {
    return this.count;
  }

  entries(): [number, bigint][] {
    return [...this.next];
  }
}

/** A unique-enough suffix for group and transactional ids of one run. */
export const runId = () => `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** `items` in slices of at most `size`, in order. */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
