// The chaos suite's input: a catalogue with `servers` servers on the invoicing fixture's meters
// and plans (a contract with discount and minimum commit, hourly and monthly plans, a plan
// change at an instant that is not a window boundary, subscriptions that start and end
// mid-month, one server with no subscription), and a month of their samples (October 2026,
// with some of September and November): counters with resets, out-of-order neighbours (some
// later than the lateness: corrections) and re-sent duplicates, in the order agents send them.
import type { Sample } from '../../pipeline/samples/sample.js';
import { PIPELINE_CATALOG } from '../invoicing/workload.js';
import { rng, type RefMeter } from '../e2e/workload.js';

export const PERIOD = '2026-10';
export const WINDOW_MS = 3_600_000;

/** The fixture's meters as the independent reference model (test/e2e/workload.ts) reads them. */
export const CHAOS_METERS: RefMeter[] = [
  { name: 'bandwidth_out_gb', metric: 'net_tx_bytes', agg: 'counter', factor: '1e-9' },
  { name: 'ssd_extra_gb', metric: 'disk_extra_gb', agg: 'time_average', factor: '1' },
  { name: 'ip_hours', metric: 'public_ips', agg: 'integral', factor: '1', perSeconds: '3600' },
  { name: 'requests', metric: 'http_requests', agg: 'sum', factor: '1' },
];

export interface TrafficOptions {
  servers: number;
  /** Minutes between two samples of a server. */
  stepMin: number;
  seed: number;
}

export const serverId = (i: number) => `srv-${String(i).padStart(4, '0')}`;

/** The fixture's meters and plans, its two customers and one subscription story per server. */
export function chaosCatalog(servers: number): string {
  const head = PIPELINE_CATALOG.slice(0, PIPELINE_CATALOG.indexOf('customers:'));
  const subs: string[] = [];
  // The last server has no subscription (unattributed usage) when there are three or more.
  const billed = servers >= 3 ? servers - 1 : servers;
  for (let i = 0; i < billed; i++) {
    const sub = (customer: string, plan: string, from: string, to?: string) =>
      subs.push(`  - { server_id: ${serverId(i)}, customer: ${customer}, plan: ${plan}, from: "${from}"${to ? `, to: "${to}"` : ''} }`);
    const customer = i % 2 === 0 ? 'acme' : 'beta';
    switch (i % 4) {
      case 0:
        sub(customer, 'd8-monthly', '2026-10-01T00:00:00Z');
        break;
      case 1: // starts mid-month, changes plan at a second that is no window boundary
        sub(customer, 'd8-monthly', `2026-10-0${1 + (i % 8)}T00:00:00Z`, '2026-10-20T06:00:30Z');
        sub(customer, 'c4-hourly', '2026-10-20T06:00:30Z');
        break;
      case 2: // a short hourly rental
        sub(customer, 'c4-hourly', '2026-10-10T12:30:00Z', '2026-10-12T03:00:00Z');
        break;
      default:
        sub(customer, 'c4-hourly', '2026-09-15T00:00:00Z');
    }
  }
  return `${head}customers:
  acme:
    contract:
      overrides: { d8-monthly: { base_fee: { amount: "129.00", per: month } } }
      discount_pct: "10"
      minimum_commit: "500.00"
  beta: {}
subscriptions:
${subs.join('\n')}
`;
}

/** Samples in send order. */
export function chaosSamples(o: TrafficOptions): Sample[] {
  const random = rng(o.seed);
  const start = Date.parse('2026-09-30T22:00:00Z');
  const end = Date.parse('2026-11-01T02:00:00Z');
  const out: Sample[] = [];
  for (let s = 0; s < o.servers; s++) {
    const id = serverId(s);
    let bytes = 5_000_000_000 + s; // the counter's first sample is its baseline
    for (let ts = start, i = 0; ts < end; ts += o.stepMin * 60_000, i++) {
      bytes += Math.floor(random() * 40_000_000);
      if (random() < 0.002) bytes = Math.floor(random() * 1_000_000); // an interface counter reset
      out.push({
        id: `${id}-${i}`,
        serverId: id,
        // seconds into the minute, so samples fall inside windows, never on their edges
        tsMs: ts + 1_000 * (7 + ((s * 13 + i) % 40)),
        intervalS: String(o.stepMin * 60),
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
  // Agents report in time order, all servers interleaved; some neighbours swapped (out of
  // order: when 4 places apart, later than the lateness) and some samples re-sent later.
  out.sort((a, b) => a.tsMs - b.tsMs);
  for (let i = 10; i < out.length - 5; i += 97) [out[i], out[i + 4]] = [out[i + 4] as Sample, out[i] as Sample];
  const withDups: Sample[] = [];
  out.forEach((sample, i) => {
    withDups.push(sample);
    if (i % 53 === 0 && i >= 400) withDups.push({ ...(out[i - 400] as Sample) });
  });
  return withDups;
}
