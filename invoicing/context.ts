// What every invoice writer (rate role, provisioning API, finalization) is wired with.
import type { Catalog } from '../catalog/types.js';
import type { DownInterval } from '../nagios/intervals.js';
import type { Queryable } from './db/tx.js';
import type { PartCache } from './part-cache.js';

export interface InvoicingContext {
  /** Plans, meters, currency and zone (customers and subscriptions come from the database). */
  catalog: Catalog;
  /** Now, epoch ms: a subscription has drafts for the periods it overlaps up to now. */
  now: () => number;
  /**
   * HARD DOWN intervals of `serverIds` overlapping [fromMs, toMs) for SLA credits. Absent =
   * no down time known (full availability), as `bill` without --nagios.
   */
  downIntervals?: (db: Queryable, serverIds: readonly string[], fromMs: number, toMs: number) => Promise<DownInterval[]>;
  /** Merged per-day state of stored parts (the rate role's); absent = read every part. */
  partCache?: PartCache;
  /**
   * Rate drafts from the running usage state rows of the catalogue's zone (the rate role's,
   * once ensureStates built them; usage-states.ts). Not for finalization, which needs part ids.
   */
  usageStates?: boolean;
}
