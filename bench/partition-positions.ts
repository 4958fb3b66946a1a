// Counting a topic's records once each across kafkajs consumer restarts, for the benches' reads.
// kafkajs restarts a consumer by itself after a retriable crash; the restarted member has no
// committed offsets (the benches never commit) and fetches every partition from the start
// again. Counting batch lengths then counts records twice and ends a read early with a rate that
// is too high. So each partition's next offset is kept here, and only records at or past it count.
// (kafka/read-to-end.ts does the same for fixed offset ranges; the benches read until a count.)

export class PartitionPositions {
  private readonly next = new Map<number, bigint>();
  private count = 0;

  /** The records of one fetched batch not seen before (all of them unless a restart re-read). */
  fresh<M extends { offset: string }>(partition: number, messages: readonly M[]): readonly M[] {
    const from = this.next.get(partition) ?? -1n;
    const last = messages[messages.length - 1];
    if (last === undefined || BigInt(last.offset) < from) return [];
    const out = BigInt((messages[0] as M).offset) >= from ? messages : messages.filter((m) => BigInt(m.offset) >= from);
    this.next.set(partition, BigInt(last.offset) + 1n);
    this.count += out.length;
    return out;
  }

  /** Records counted so far, each once. */
  get seen(): number {
    return this.count;
  }
}
