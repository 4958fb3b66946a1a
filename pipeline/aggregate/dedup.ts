// Sample-id deduplication in Redis, consistent with the aggregate role's Kafka transactions.
//
// Each record claims its sample id with `SET <key> "<partition>:<offset>" NX GET PX <horizon>`:
// - no previous value: first sighting — count it;
// - the same partition:offset: this very record, replayed after a crash or rebalance aborted
//   the transaction that first counted it — count it again (the first count was rolled back);
// - another partition:offset: a duplicate of a sample some other record carries — skip it.
// So the claim survives an aborted transaction without double counting or losing the sample.
// Keys are 16 bytes of sha256 of the id (binary, not hex) to keep Redis memory small; the
// horizon (METERLINE_DEDUP_HORIZON) runs from the first sighting (NX never refreshes it).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Claim {
  id: string;
  partition: number;
  offset: string;
}

/** Key prefix: Redis may be shared; tests use their own prefix. */
export const DEFAULT_DEDUP_PREFIX = 'ml:d:';

export const dedupKey = (prefix: string, id: string): Buffer =>
  Buffer.concat([Buffer.from(prefix), createHash('sha256').update(id).digest().subarray(0, 16)]);

export interface SampleDedup {
  /** For each claim: true = count it, false = a duplicate of another record's sample. */
  claim(claims: readonly Claim[]): Promise<boolean[]>;
}

export function redisDedup(redis: Redis, horizonMs: number, prefix = DEFAULT_DEDUP_PREFIX): SampleDedup {
  return {
    async claim(claims) {
      if (claims.length === 0) return [];
      const pipe = redis.pipeline();
      for (const c of claims)
        pipe.set(dedupKey(prefix, c.id), `${c.partition}:${c.offset}`, 'PX', horizonMs, 'NX', 'GET');
      const results = (await pipe.exec()) ?? [];
      return claims.map((c, i) => {
        const [err, previous] = results[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        return previous === null || previous === `${c.partition}:${c.offset}`;
      });
    },
  };
}
