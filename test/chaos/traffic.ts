// The chaos suite's input: a catalogue with `servers` servers on the invoicing fixture's meters,
// plans, taxes and customers (a contract with discount and minimum commit, a tax rate and a
// reverse charge, hourly and monthly plans, a plan change at an instant that is not a window
// boundary, subscriptions that start and end mid-month, one server with no subscription), and
// a month of their samples (October 2026, with some of September and November): counters with
// resets, samples held back past the lateness (corrections) and re-sent duplicates, in the
// order agents send them.
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

/** The fixture's meters, plans, taxes and customers, and one subscription story per server. */
export function chaosCatalog(servers: number): string {
  const head = PIPELINE_CATALOG.slice(0, PIPELINE_CATALOG.indexOf('subscriptions:'));
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
  return `${head}subscriptions:\n${subs.join('\n')}\n`;
}

/** One server's samples in time order: a month of a machine's life, with counter resets. */
function serverSamples(s: number, o: TrafficOptions, random: () => number): Sample[] {
  const id = serverId(s);
  const out: Sample[] = [];
  let bytes = 5_000_000_000 + s; // the counter's first sample is its baseline
  let disk = 50 * (s % 5); // extra disk grows in steps, now and then
  const ips = 1 + (s % 3);
  const end = Date.parse('2026-11-01T02:00:00Z');
  for (let ts = Date.parse('2026-09-30T22:00:00Z'), i = 0; ts < end; ts += o.stepMin * 60_000, i++) {
    bytes = random() < 0.002 ? Math.floor(random() * 1_000_000) : bytes + Math.floor(random() * 40_000_000);
    if (random() < 0.01) disk += 10 * Math.floor(random() * 5);
    const hour = new Date(ts).getUTCHours();
    const load = hour >= 8 && hour < 20 ? 900 : 200; // a day/night request pattern
    const sample: Sample = {
      id: `${id}-${i}`,
      serverId: id,
      tsMs: ts + 1_000 * (7 + ((s * 13 + i) % 40)), // inside windows, never on their edges
      intervalS: String(o.stepMin * 60),
      metrics: { net_tx_bytes: String(bytes), disk_extra_gb: `${disk}.5` },
      labels: { dc: 'fra1' },
    };
    sample.metrics.public_ips = String(ips + (i % 100 < 3 ? 1 : 0));
    sample.metrics.http_requests = String(Math.floor(random() * load));
    out.push(sample);
  }
  return out;
}

/** Samples in send order. */
export function chaosSamples(o: TrafficOptions): Sample[] {
  const random = rng(o.seed);
  const all: Sample[] = [];
  for (let s = 0; s < o.servers; s++) all.push(...serverSamples(s, o, random));
  // Agents report in time order, all servers interleaved. Now and then one is held back 3 h
  // (later than the lateness: a correction), and one re-sends a sample of earlier (a duplicate).
  all.sort((a, b) => a.tsMs - b.tsMs);
  const out: Sample[] = [];
  const held: Sample[] = [];
  all.forEach((sample, i) => {
    if (i % 89 === 17) held.push(sample);
    else out.push(sample);
    while (held.length > 0 && (held[0] as Sample).tsMs + 3 * 3_600_000 <= sample.tsMs) out.push(held.shift() as Sample);
    if (i % 53 === 0 && i >= 400) out.push({ ...(all[i - 400] as Sample) });
  });
  return [...out, ...held];
}
