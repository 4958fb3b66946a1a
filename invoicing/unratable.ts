// Customers whose drafts cannot be rated under the running catalogue (a plan in use is gone, a
// contract the rating core refuses): a configuration error for an operator to fix, shown on
// /readyz (the rate role's check fails naming the customers) and as a gauge — while every
// other customer's drafts stay current. A customer leaves the list when rating it succeeds.
import type { Metrics } from '../observability/metrics.js';
import type { RoleHealth } from '../roles/health.js';

export interface Unratable {
  failed(customer: string, reason: string): void;
  rated(customer: string): void;
  list(): ReadonlyMap<string, string>;
}

/** Problems listed on /readyz, at most this many customers by name. */
const SHOWN = 5;

export function unratableCustomers(health: RoleHealth, metrics?: Metrics): Unratable {
  const failing = new Map<string, string>();
  const publish = () => {
    metrics?.unratableCustomers.set(failing.size);
    if (failing.size === 0) return health.set('rating', undefined);
    const shown = [...failing].slice(0, SHOWN).map(([c, r]) => `${c}: ${r}`);
    const more = failing.size > SHOWN ? ` (and ${failing.size - SHOWN} more customers)` : '';
    health.set('rating', `drafts cannot be rated (configuration error) — ${shown.join('; ')}${more}`);
  };
  return {
    failed(customer, reason) {
      if (failing.get(customer) === reason) return;
      failing.set(customer, reason);
      publish();
    },
    rated(customer) {
      if (failing.delete(customer)) publish();
    },
    list: () => failing,
  };
}
