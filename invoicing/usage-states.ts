// A draft's usage from the running state rows (db/usage-states.ts) instead of every stored part.
// A row merges all parts of one series with window start in [lo, hi]; it stands for them whole
// when no subscription boundary b of the customer's subscriptions of that server falls in
// (lo, hi] — then all its parts belong to the same subscription (or to none of them), exactly as
// attributing them one by one would. Otherwise the month row gives way to its day rows, and a
// day row with a boundary inside to the day's raw parts. Exact in every case: the rows are the
// same commutative merge the rating core applies to the parts (no "fall back" needed for
// max/min/latest, as parts are only ever added).
import type { Subscription } from '../catalog/types.js';
import type { BillingPeriod } from '../rating/period.js';
import { partsOfSeries } from './db/parts.js';
import type { Queryable } from './db/tx.js';
import { dayStates, monthStates, type StateRow } from './db/usage-states.js';
import type { RatedPart } from './part-cache.js';

/** Every subscription start and end of the customer, per server. */
function boundariesByServer(subs: readonly Subscription[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of subs) {
    const list = out.get(s.serverId) ?? [];
    list.push(s.fromMs, ...(s.toMs === undefined ? [] : [s.toMs]));
    out.set(s.serverId, list);
  }
  return out;
}

const asPart = (key: string, r: StateRow): RatedPart => ({
  partId: key,
  serverId: r.serverId,
  meter: r.meter,
  windowStartMs: r.loMs,
  windowEndMs: r.hiEndMs,
  correction: false,
  state: r.state,
  billedInvoice: null,
});

/**
 * The usage of `subs`' servers in `period` as merged parts (see above). The part ids are
 * synthetic: a draft rated this way cannot be finalized from them (finalization rates from the
 * parts themselves, finalize.ts).
 */
export async function loadStates(db: Queryable, zone: string, subs: readonly Subscription[], period: BillingPeriod): Promise<RatedPart[]> {
  const bounds = boundariesByServer(subs);
  const whole = (r: StateRow): boolean => !(bounds.get(r.serverId) ?? []).some((b) => b > r.loMs && b <= r.hiMs);
  const out: RatedPart[] = [];
  const split: { serverId: string; meter: string }[] = [];
  for (const m of await monthStates(db, zone, [...bounds.keys()], period.startMs)) {
    if (whole(m)) out.push(asPart(`month:${m.serverId}:${m.meter}:${period.label}`, m));
    else split.push({ serverId: m.serverId, meter: m.meter });
  }
  for (const d of await dayStates(db, zone, split, period.startMs)) {
    if (whole(d)) out.push(asPart(`day:${d.serverId}:${d.meter}:${d.loMs}`, d));
    else out.push(...(await partsOfSeries(db, d.serverId, d.meter, d.loMs, d.hiMs + 1)));
  }
  return out;
}
