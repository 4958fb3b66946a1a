// A month of agent samples for the pipeline-vs-bill tests: every meter kind the fixture
// catalogue charges (counter with a reset, delta, time_average gauge, integral gauge), tax at a
// rate and a reverse charge (SPEC §12.2), a plan change at an instant that is not a window
// boundary, an hourly subscription of 38.5 h, a server with no subscription (unattributed),
// re-sent duplicates and out-of-order arrivals.
import type { Sample } from '../../pipeline/samples/sample.js';
import { sampleToJson } from '../../pipeline/samples/parse.js';
import { rng } from '../e2e/workload.js';

export const PIPELINE_CATALOG = `
currency: USD
timezone: UTC
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  ssd_extra_gb:     { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:         { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  requests:         { metric: http_requests, kind: delta, unit: request }
plans:
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1", tiers: [ { up_to: "10", unit_price: "0.010" }, { up_to: null, unit_price: "0.005", flat_fee: "0.25" } ] }
      - { meter: ssd_extra_gb, model: per_unit, unit_price: "0.10" }
      - { meter: ip_hours, model: per_unit, unit_price: "0.004" }
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }
    charges:
      - { meter: requests, model: package, package_size: "1000", package_price: "0.05" }
      - { meter: bandwidth_out_gb, model: volume, tiers: [ { up_to: "5", unit_price: "0.02" }, { up_to: null, unit_price: "0.01" } ] }
taxes:
  de-vat: { rate: "19", name: "USt." }
customers:
  acme:
    contract:
      overrides: { d8-monthly: { base_fee: { amount: "129.00", per: month } } }
      discount_pct: "10"
      minimum_commit: "500.00"
    tax: de-vat
  beta:
    billing: { name: "Beta GmbH", address: ["Ring 1", "1010 Wien"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge
subscriptions:
  - { server_id: srv-1, customer: acme, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }
  - { server_id: srv-2, customer: acme, plan: c4-hourly, from: "2026-10-10T12:30:00Z", to: "2026-10-12T03:00:00Z" }
  - { server_id: srv-3, customer: beta, plan: d8-monthly, from: "2026-10-05T00:00:00Z", to: "2026-10-20T06:00:30Z" }
  - { server_id: srv-3, customer: beta, plan: c4-hourly, from: "2026-10-20T06:00:30Z" }
`;

const SERVERS = ['srv-1', 'srv-2', 'srv-3', 'srv-4'];

/** Samples every `stepMin` minutes over October 2026 (plus a few in September and November). */
export function monthOfSamples(stepMin: number, seed: number): Sample[] {
  const random = rng(seed);
  const start = Date.parse('2026-09-30T22:00:00Z');
  const end = Date.parse('2026-11-01T02:00:00Z');
  const out: Sample[] = [];
  for (const serverId of SERVERS) {
    let bytes = 5_000_000_000; // the counter's first sample is its baseline
    for (let ts = start, i = 0; ts < end; ts += stepMin * 60_000, i++) {
      bytes += Math.floor(random() * 40_000_000);
      if (i === 700) bytes = Math.floor(random() * 1_000_000); // an interface counter reset
      out.push({
        id: `${serverId}-${i}`,
        // an offset of seconds, so samples fall inside windows, and one right at the plan change
        serverId,
        tsMs: ts + (serverId === 'srv-3' && ts === Date.parse('2026-10-20T06:00:00Z') ? 30_000 : 17_000),
        intervalS: String(stepMin * 60),
        metrics: {
          net_tx_bytes: String(bytes),
          disk_extra_gb: String(Math.floor(random() * 400) / 2),
          public_ips: String(1 + Math.floor(random() * 3)),
          http_requests: String(Math.floor(random() * 900)),
        },
        labels: { dc: 'fra1' },
      });
    }
  }
  // Agents report in time order, all servers interleaved (stable sort keeps server order at
  // equal times); then a few neighbours swapped (out of order, some later than the lateness)
  // and some samples re-sent at the end (duplicates).
  out.sort((a, b) => a.tsMs - b.tsMs);
  for (let i = 10; i < out.length - 5; i += 97) [out[i], out[i + 4]] = [out[i + 4]!, out[i]!];
  const dups = out.filter((_, i) => i % 53 === 0).map((s) => ({ ...s }));
  return [...out, ...dups];
}

export const toNdjson = (samples: readonly Sample[]): string => samples.map((s) => JSON.stringify(sampleToJson(s))).join('\n') + '\n';
