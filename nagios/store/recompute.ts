// Wiring for POST /v1/nagios/events in a process that has the catalogue: its host map, and a
// hook that recomputes the drafts new host states change (their SLA credits), so an outage shows
// on the draft at once instead of at the rate role's next draft-clock wake (≤ 5 min). Without a
// catalogue, hosts map to servers of the same name and the rate role's clock picks the states up.
import type pg from 'pg';
import type { Config } from '../../config/env.js';
import { loadCatalog } from '../../catalog/load.js';
import { recomputeCustomer } from '../../invoicing/drafts.js';
import type { Logger } from '../../observability/log.js';
import type { HostMap } from '../to-sample.js';
import { customersAffectedByStates } from './affected.js';
import type { StoredStates } from './host-states.js';
import { downIntervalsFor } from './intervals.js';

export interface NagiosWiring {
  hosts: HostMap;
  onStatesStored?: (changed: StoredStates['changed']) => Promise<void>;
}

export async function nagiosDraftRecompute(config: Config, pool: pg.Pool, log: Logger, now: () => number = Date.now): Promise<NagiosWiring> {
  if (!config.catalogPath) return { hosts: {} };
  const catalog = await loadCatalog(config.catalogPath);
  const ctx = { catalog, now, downIntervals: downIntervalsFor };
  return {
    hosts: catalog.hosts,
    async onStatesStored(changed) {
      const affected = await customersAffectedByStates(pool, changed, catalog.timezone, now());
      for (const [customer, labels] of affected) {
        const outcomes = await recomputeCustomer(pool, ctx, customer, labels);
        log.debug({ customer, labels, outcomes }, 'nagios: drafts recomputed after new host states');
      }
    },
  };
}
