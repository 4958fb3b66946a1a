// Seeding (SPEC §8): roles that take --catalog copy the file's customers and subscriptions into
// PostgreSQL at start. Insert-if-missing, never overwrite: after the first seed the provisioning
// API owns them, and a restart with the same file must not undo an API change (e.g. an ended
// subscription). A file entry that overlaps what the database holds is a start-up error.
import type pg from 'pg';
import type { Catalog } from '../catalog/types.js';
import { MeterlineError } from '../lib/errors.js';
import { customerRow } from './customers.js';
import { insertCustomerIfMissing } from './db/customers.js';
import { insertSubscriptionIfMissing, isOverlapError } from './db/subscriptions.js';
import { withTransaction } from './db/tx.js';
import { putCustomerAlerts } from './db/alerts.js';

export interface SeedResult {
  customers: number;
  subscriptions: number;
}

export async function seedFromCatalog(pool: pg.Pool, catalog: Catalog): Promise<SeedResult> {
  return withTransaction(pool, async (client) => {
    let customers = 0;
    let subscriptions = 0;
    for (const c of Object.values(catalog.customers)) {
      if (await insertCustomerIfMissing(client, customerRow(c, 'catalog'))) {
        customers += 1;
        await putCustomerAlerts(client, c.id, c.alerts ?? []); // owned by the API afterwards, like the rest
      }
    }
    for (const s of catalog.subscriptions) {
      try {
        if (await insertSubscriptionIfMissing(client, s)) subscriptions += 1;
      } catch (err) {
        if (!isOverlapError(err)) throw err;
        throw new MeterlineError(
          'config',
          `catalogue subscription ${s.id} (server ${s.serverId}, customer ${s.customer}) overlaps a subscription of that server already in the database`,
          { cause: err },
        );
      }
    }
    return { customers, subscriptions };
  });
}
