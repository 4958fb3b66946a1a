#!/usr/bin/env node
// Generates a month of synthetic agent samples (NDJSON) and a matching catalogue, to measure
// `meterline bill` on realistic volumes. Bounded: at most 10,000 servers and one month.
//
//   node scripts/gen-bill-samples.mjs --servers 1000 --period 2026-10 --step 300 --out DIR
//   → DIR/catalog.yaml, DIR/samples.ndjson (servers × month ÷ step lines; 1000 × 5 min ≈ 8.9M)
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    period: { type: 'string', default: '2026-10' },
    step: { type: 'string', default: '300' },
    out: { type: 'string' },
  },
});
const servers = Number(values.servers);
const step = Number(values.step);
if (!values.out) throw new Error('--out DIR is required');
if (!Number.isInteger(servers) || servers < 1 || servers > 10_000) throw new Error('--servers must be 1…10000');
if (!Number.isInteger(step) || step < 10) throw new Error('--step must be ≥ 10 seconds');
const m = /^(\d{4})-(\d{2})$/.exec(values.period);
if (!m) throw new Error('--period must be YYYY-MM');
const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
const end = Date.UTC(Number(m[1]), Number(m[2]), 1);
mkdirSync(values.out, { recursive: true });

const id = (i) => `srv-${String(i).padStart(5, '0')}`;
const subs = [];
for (let i = 1; i <= servers; i++) {
  const plan = i % 4 === 0 ? 'c4-hourly' : 'd8-monthly';
  subs.push(`  - { server_id: ${id(i)}, customer: cust-${String(i % 97).padStart(3, '0')}, plan: ${plan}, from: "${new Date(start - 86_400_000).toISOString()}" }`);
}
const customers = [...new Set(subs.map((s) => /customer: (\S+),/.exec(s)[1]))].map((c) => `  ${c}: {}`);
writeFileSync(join(values.out, 'catalog.yaml'), `currency: USD
timezone: UTC
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak_pct:     { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
  ssd_extra_gb:     { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:         { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  running_hours:    { metric: power_on, kind: gauge, aggregation: integral, per_seconds: 3600, unit: hour }
plans:
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }
    charges:
      - { meter: bandwidth_out_gb, model: per_unit, unit_price: "0.01" }
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: ssd_extra_gb, model: per_unit, unit_price: "0.10" }
      - { meter: ip_hours, model: per_unit, unit_price: "0.004" }
customers:
${customers.join('\n')}
subscriptions:
${subs.join('\n')}
`);

// Time-major order (what agents produce): every server's sample for t, then t + step.
const out = createWriteStream(join(values.out, 'samples.ndjson'), { highWaterMark: 1 << 22 });
const counters = new Array(servers + 1).fill(0).map((_, i) => i * 1_000_000_000);
let lines = 0;
let chunk = [];
const flush = async () => {
  if (!out.write(chunk.join(''))) await new Promise((r) => out.once('drain', r));
  chunk = [];
};
for (let t = start; t < end; t += step * 1000) {
  const ts = new Date(t).toISOString();
  for (let i = 1; i <= servers; i++) {
    counters[i] += 1_000_000 + ((i * 7919 + t / 1000) % 50_000_000);
    const cpu = ((i * 31 + t / 60_000) % 1000) / 10;
    chunk.push(`{"id":"${id(i)}-${t / 1000}","server_id":"${id(i)}","ts":"${ts}","interval_s":${step},"metrics":{"net_tx_bytes":${counters[i]},"cpu_util_pct":${cpu},"disk_extra_gb":${(i % 5) * 50},"public_ips":${1 + (i % 3)},"power_on":1}}\n`);
    lines++;
  }
  if (chunk.length >= 10_000) await flush();
}
await flush();
await new Promise((r) => out.end(r));
console.log(`wrote ${lines} samples for ${servers} servers to ${values.out}`);
