// Usage alerts in the catalogue (SPEC §13): both forms accepted, kept as written; every bad
// entry named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { problems } from './problems.js';

const catalog = (alerts: string) => `currency: USD
timezone: UTC
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
plans:
  p: { base_fee: { amount: "1.00", per: month } }
customers:
  acme:
    alerts: ${alerts}
`;

test('amount and meter alerts are read with their decimals as written', () => {
  const c = parseCatalog(catalog('[ { amount: "1000.00" }, { meter: bandwidth_out_gb, quantity: "5000" } ]'));
  const alerts = c.customers.acme?.alerts ?? [];
  assert.deepEqual(alerts.map((a) => [a.kind, a.text, a.threshold.toFixed()]), [['amount', '1000.00', '1000'], ['meter', '5000', '5000']]);
});

test('each bad alert is named by its path', () => {
  const p = problems(catalog('[ { amount: "0" }, { meter: bandwidth, quantity: "5" }, { meter: bandwidth_out_gb }, { amount: "1", quantity: "2" }, { amount: 12.5.5 }, { limit: "1" } ]'));
  const paths = p.map((x) => x.path);
  assert.deepEqual(paths, [
    'customers.acme.alerts[0].amount',
    'customers.acme.alerts[1].meter',
    'customers.acme.alerts[2].quantity',
    'customers.acme.alerts[3]',
    'customers.acme.alerts[4].amount',
    'customers.acme.alerts[5].limit', // unknown key
    'customers.acme.alerts[5].meter',
    'customers.acme.alerts[5].quantity',
  ]);
  assert.deepEqual(problems(catalog('{ amount: "1" }')).map((x) => `${x.path}: ${x.message}`), ['customers.acme.alerts: must be a list of { amount } or { meter, quantity }']);
});
