// Property tests (fast-check): rating is additive where the spec says it is, and `bill` does not
// depend on the order samples arrive in (away from boundaries), on how they are split into
// files, on re-sent duplicates, or on the internal window size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { parseCatalog } from '../../catalog/load.js';
import type { Charge } from '../../catalog/types.js';
import { Decimal, ZERO } from '../../lib/decimal.js';
import { priceBaseFee } from '../../rating/base-fee.js';
import { priceUsage } from '../../rating/charges.js';
import { billJson } from '../../rating/embedded/output.js';
import { runBill } from '../../rating/embedded/run-bill.js';
import { parsePeriod } from '../../rating/period.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const catalog = parseCatalog(readFileSync(join(root, 'examples', 'catalog.yaml')));

/** A decimal with up to 6 fraction digits, as text. */
const decimalText = fc.tuple(fc.nat({ max: 10_000_000 }), fc.nat({ max: 6 })).map(([m, s]) => new Decimal(m).div(new Decimal(10).pow(s)).toFixed());

test('per_unit charges rated per day add up to rating the whole month (exact amounts)', () => {
  const charge: Charge = { meter: 'm', model: 'per_unit', freeUnits: ZERO, unitPrice: new Decimal('0.0037') };
  fc.assert(
    fc.property(fc.array(decimalText, { minLength: 28, maxLength: 31 }), (days) => {
      const perDay = days.reduce((s, q) => s.plus(priceUsage(charge, new Decimal(q)).amount), ZERO);
      const month = priceUsage(charge, days.reduce((s, q) => s.plus(q), ZERO)).amount;
      assert.equal(perDay.toFixed(), month.toFixed());
    }),
    { numRuns: 200 },
  );
});

test('a monthly base fee prorated day by day adds up to the whole month, DST months included', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: 1, max: 12 }), decimalText, (zone, month, price) => {
      const period = parsePeriod(`2026-${String(month).padStart(2, '0')}`, zone);
      const fee = { amount: new Decimal(price), per: 'month' as const };
      let sum = ZERO;
      for (let d = DateTime.fromMillis(period.startMs, { zone }); d.toMillis() < period.endMs; d = d.plus({ days: 1 })) {
        const span = { startMs: d.toMillis(), endMs: Math.min(d.plus({ days: 1 }).toMillis(), period.endMs) };
        sum = sum.plus(priceBaseFee(fee, span, period).amount);
      }
      // Each day is price × day ÷ month at 60 significant digits; their sum may differ from the
      // price only far below any minor unit.
      assert.ok(sum.minus(price).abs().lt('1e-40'), `${sum.toFixed()} ≠ ${price}`);
    }),
    { numRuns: 100 },
  );
});

// ---- bill: order, files, duplicates, window ----------------------------------------------

const OCT = Date.parse('2026-10-01T00:00:00Z');
const DAY = 86_400_000;

interface Gen {
  /** Counter readings of srv-0001 (one subscription all month): times and increments. */
  counter: Array<[number, number]>;
  /** Gauge / delta samples on servers with and without subscriptions. */
  levels: Array<{ server: string; t: number; metric: string; value: string }>;
}

const genSamples: fc.Arbitrary<Gen> = fc.record({
  counter: fc.array(fc.tuple(fc.integer({ min: 1, max: 30 * DAY }), fc.nat({ max: 5_000_000_000 })), { minLength: 1, maxLength: 15 }),
  levels: fc.array(
    fc.record({
      server: fc.constantFrom('srv-0001', 'srv-0002', 'srv-0003', 'srv-0404'),
      t: fc.integer({ min: 1, max: 30 * DAY }),
      metric: fc.constantFrom('disk_extra_gb', 'public_ips', 'http_requests', 'cpu_util_pct'),
      value: decimalText,
    }),
    { maxLength: 25 },
  ),
});

function lines(g: Gen): { baseline: string; rest: string[] } {
  // The counter's baseline is the first reading ever (Sep 30); later readings grow monotonically.
  const baseline = JSON.stringify({ id: 'c-0', server_id: 'srv-0001', ts: OCT - 60_000, metrics: { net_tx_bytes: 1_000_000 } });
  const times = [...new Set(g.counter.map(([t]) => t))].sort((a, b) => a - b);
  let v = 1_000_000;
  const rest = times.map((t, i) => {
    v += g.counter[i % g.counter.length]![1];
    return JSON.stringify({ id: `c-${t}`, server_id: 'srv-0001', ts: OCT + t, metrics: { net_tx_bytes: v } });
  });
  g.levels.forEach((l, i) => rest.push(JSON.stringify({ id: `l-${i}`, server_id: l.server, ts: OCT + l.t, interval_s: 300, metrics: { [l.metric]: l.value } })));
  return { baseline, rest };
}

/** Deterministic shuffle from a seed (mulberry32). */
function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'meterline-prop-'));
let fileNo = 0;

async function billOf(files: string[][], windowMs: number): Promise<string> {
  const names = files.map((content) => {
    const f = join(dir, `f${fileNo++}.ndjson`);
    writeFileSync(f, content.join('\n') + '\n');
    return f;
  });
  const rejected: string[] = [];
  const { runs } = await runBill({ catalogs: [catalog], period: '2026-10', eventFiles: names, windowMs, onRejected: (r) => rejected.push(r.reason) });
  assert.deepEqual(rejected, []);
  return JSON.stringify(billJson(runs[0]!));
}

test('bill: invoices do not depend on arrival order, file split, re-sent duplicates or window size', async () => {
  await fc.assert(
    fc.asyncProperty(
      genSamples,
      fc.integer(),
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.nat(), { maxLength: 5 }),
      fc.constantFrom(60_000, 3_600_000, DAY),
      async (g, seed, fileCount, dupPicks, windowMs) => {
        const { baseline, rest } = lines(g);
        const reference = await billOf([[baseline, ...rest]], DAY);
        // Permute everything after the baseline, re-send some samples, deal them into files.
        const shuffled = shuffle(rest, seed);
        for (const k of dupPicks) if (shuffled.length > 0) shuffled.push(shuffled[k % shuffled.length]!);
        const files: string[][] = Array.from({ length: fileCount }, () => []);
        files[0]!.push(baseline);
        shuffle(shuffled, seed ^ 0x5bd1e995).forEach((l, i) => files[i % fileCount]!.push(l));
        // Counters are applied in arrival order (SPEC §3): keep srv-0001's readings in time order
        // inside the files so only genuinely order-free usage is permuted.
        const order = files.flat().filter((l) => l.includes('net_tx_bytes'));
        const sorted = [...order].sort((a, b) => JSON.parse(a).ts - JSON.parse(b).ts);
        let c = 0;
        const fixed = files.map((f) => f.map((l) => (l.includes('net_tx_bytes') ? sorted[c++]! : l)));
        assert.equal(await billOf(fixed, windowMs), reference);
      },
    ),
    { numRuns: 40 },
  );
});
