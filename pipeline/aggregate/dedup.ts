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
//
// Claims must be as durable as the transaction that relies on them, and Redis (appendfsync
// everysec) may lose its last second in a machine crash. So one script per batch checks and
// raises a per-partition high-water mark `<prefix>hw:<scope>:<partition>` (the last claimed
// offset, only ever raised) together with the claims: a script is written to the AOF as one
// MULTI/EXEC, so a surviving mark proves every claim before it survived. A mark below this
// process's own last claim means Redis lost acknowledged claims: the batch fails with
// LostClaimsError (nothing written) and the partition is restored, which rebuilds the lost
// claims from Kafka (dedup-rebuild.ts).
import type { Redis } from 'ioredis';
import { MeterlineError } from '../../lib/errors.js';
import { DIGEST_BYTES, digestInto } from './id-digest.js';

export interface Claim {
  id: string;
  partition: number;
  offset: string;
}

/** Key prefix: Redis may be shared; tests use their own prefix. */
export const DEFAULT_DEDUP_PREFIX = 'ml:d:';

/** `prefix` + the first 16 bytes of sha256(id) (id-digest.ts). */
export function dedupKey(prefix: string, id: string): Buffer {
  const n = Buffer.byteLength(prefix);
  const key = Buffer.allocUnsafe(n + DIGEST_BYTES);
  key.write(prefix, 0, n, 'utf8');
  digestInto(id, key, n);
  return key;
}

/**
 * The keys of `claims` (dedupKey's bytes), written back to back into one buffer: one allocation
 * and a view per claim, the prefix copied from its bytes rather than encoded per key.
 */
function keysOf(prefix: Buffer, claims: readonly Claim[]): Buffer[] {
  const size = prefix.length + DIGEST_BYTES;
  const block = Buffer.allocUnsafe(size * claims.length);
  const keys = new Array<Buffer>(claims.length);
  for (let k = 0; k < claims.length; k++) {
    const at = k * size;
    for (let i = 0; i < prefix.length; i++) block[at + i] = prefix[i] as number;
    digestInto((claims[k] as Claim).id, block, at + prefix.length);
    keys[k] = block.subarray(at, at + size);
  }
  return keys;
}

export const markKey = (prefix: string, scope: string, partition: number): string => `${prefix}hw:${scope}:${partition}`;

/** Redis lost claims it had acknowledged (machine crash, lagging replica): restore the partition. */
export class LostClaimsError extends MeterlineError {
  constructor(partition: number, mark: string | null, own: bigint) {
    super('internal', `dedup: partition ${partition}'s claim mark is ${mark ?? 'missing'} below our last claim ${own}: Redis lost acknowledged claims`);
    this.name = 'LostClaimsError';
  }
}

/** A claim to re-create: its own partition:offset, with what is left of its horizon. */
export interface RebuiltClaim {
  id: string;
  offset: string;
  ttlMs: number;
}

export interface SampleDedup {
  /** For each claim: true = count it, false = a duplicate of another record's sample. */
  claim(claims: readonly Claim[]): Promise<boolean[]>;
  /** The partition's high-water mark (undefined = none); forgets this process's last claim. */
  restoring(partition: number): Promise<bigint | undefined>;
  /** Re-creates lost claims (SET NX, in offset order) and raises the mark to `upTo`. */
  rebuild(partition: number, claims: readonly RebuiltClaim[], upTo: bigint): Promise<void>;
  /** The dedup horizon: how far back claims (and so a rebuild) reach. */
  readonly horizonMs: number;
}

// KEYS[1] the mark, KEYS[2..] claim keys; ARGV[1] last offset, ARGV[2] own last claim (-1: none),
// ARGV[3] horizon, ARGV[3+i] the value of KEYS[1+i]. Returns {0, mark} when the mark is below
// our own last claim (nothing written), else {1, mark, keep...} with keep 1 = count.
const CLAIM_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local own = tonumber(ARGV[2])
if own >= 0 and ((not cur) or tonumber(cur) < own) then return {0, cur} end
local out = {1, cur or ''}
for i = 2, #KEYS do
  local prev = redis.call('SET', KEYS[i], ARGV[i + 2], 'PX', ARGV[3], 'NX', 'GET')
  out[i + 1] = ((not prev) or prev == ARGV[i + 2]) and 1 or 0
end
if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return out`;

// Only upward, so a fenced zombie finishing late cannot lower it.
const RAISE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/** `scope` names the input (topic or group) so marks of two deployments never mix. */
export function redisDedup(redis: Redis, horizonMs: number, prefix = DEFAULT_DEDUP_PREFIX, scope = 'raw'): SampleDedup {
  /** This process's last claimed offset per partition (since the partition's last restore). */
  const own = new Map<number, bigint>();
  const prefixBytes = Buffer.from(prefix, 'utf8');

  async function claimPartition(partition: number, claims: readonly Claim[]): Promise<boolean[]> {
    // The highest offset, compared as decimal text (one BigInt per slice, not two per claim).
    let top = '';
    for (const c of claims) if (c.offset.length > top.length || (c.offset.length === top.length && c.offset > top)) top = c.offset;
    const last = top === '' ? -1n : BigInt(top);
    const mine = own.get(partition) ?? -1n;
    const reply = (await redis.eval(
      CLAIM_SCRIPT,
      1 + claims.length,
      markKey(prefix, scope, partition),
      ...keysOf(prefixBytes, claims),
      last.toString(),
      mine.toString(),
      String(horizonMs),
      ...claims.map((c) => `${c.partition}:${c.offset}`),
    )) as [number, string | null, ...number[]];
    if (reply[0] === 0) throw new LostClaimsError(partition, reply[1], mine);
    if (last > mine) own.set(partition, last);
    return claims.map((_, i) => reply[i + 2] === 1);
  }

  return {
    horizonMs,
    async claim(claims) {
      // One script per partition (the role sends one partition's slice at a time).
      const byPartition = new Map<number, number[]>();
      claims.forEach((c, i) => {
        const idx = byPartition.get(c.partition);
        if (idx === undefined) byPartition.set(c.partition, [i]);
        else idx.push(i); // (a copy per claim made a slice of n claims cost n² / 2 copies)
      });
      const keep: boolean[] = new Array<boolean>(claims.length).fill(false);
      for (const [p, idx] of byPartition) {
        const got = await claimPartition(p, idx.map((i) => claims[i] as Claim));
        idx.forEach((i, j) => (keep[i] = got[j] === true));
      }
      return keep;
    },
    async restoring(partition) {
      own.delete(partition);
      const v = await redis.get(markKey(prefix, scope, partition));
      return v === null ? undefined : BigInt(v);
    },
    async rebuild(partition, claims, upTo) {
      // MULTI/EXEC: the AOF holds these claims and the raised mark together, or neither.
      const multi = redis.multi();
      for (const c of claims)
        if (c.ttlMs > 0) multi.set(dedupKey(prefix, c.id), `${partition}:${c.offset}`, 'PX', c.ttlMs, 'NX');
      multi.eval(RAISE_SCRIPT, 1, markKey(prefix, scope, partition), upTo.toString());
      const results = (await multi.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
    },
  };
}
