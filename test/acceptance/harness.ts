// Acceptance-test harness: runs the real CLI (`node bin/meterline.js …`) as a child process on
// files written to a fresh temporary folder, and gives small helpers to pick invoice lines and
// check the SPEC §6.5/§9 invariants. Expectations live in the test files, worked out by hand from
// SPEC.md; nothing here knows how the product computes anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'meterline.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function meterline(args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, METERLINE_LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export type Line = Record<string, unknown>;
export interface Invoice {
  customer: string;
  currency: string;
  status: string;
  period: { start: string; end: string };
  lines: Line[];
  subtotal: string;
  total: string;
  [k: string]: unknown;
}
export interface Unattributed {
  server_id: string;
  meter: string;
  quantity: string;
  [k: string]: unknown;
}
export interface BillJson {
  invoices: Invoice[];
  unattributed?: Unattributed[];
}

export interface BillInput {
  /** Catalogue: an object (written as JSON) or YAML text. */
  catalog: object | string;
  /** One NDJSON file per inner array; an entry is a sample object or a raw line. */
  events: Array<Array<object | string>>;
  period: string;
  /** nagios.log / perfdata lines for `--nagios`. */
  nagios?: string[];
}

export interface BillRun extends Run {
  json: BillJson | undefined;
  dir: string;
  eventFiles: string[];
}

const made: string[] = [];
// Temporary folders live until the test file's process ends (a failing test's inputs stay
// readable while it runs), then go.
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'meterline-acceptance-'));
  made.push(d);
  return d;
}

export function bill(input: BillInput): BillRun {
  const dir = tempDir();
  const catFile = join(dir, typeof input.catalog === 'string' ? 'catalog.yaml' : 'catalog.json');
  writeFileSync(
    catFile,
    typeof input.catalog === 'string' ? input.catalog : JSON.stringify(input.catalog, null, 2),
  );
  const eventFiles = input.events.map((lines, i) => {
    const f = join(dir, `events-${i}.ndjson`);
    writeFileSync(f, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    return f;
  });
  const args = ['bill', '--catalog', catFile, '--events', eventFiles.join(','), '--period', input.period];
  if (input.nagios) {
    const nf = join(dir, 'nagios.log');
    writeFileSync(nf, input.nagios.join('\n') + '\n');
    args.push('--nagios', nf);
  }
  args.push('--format', 'json');
  const r = meterline(args);
  let json: BillJson | undefined;
  try {
    json = r.stdout.trim() ? (JSON.parse(r.stdout) as BillJson) : undefined;
  } catch {
    json = undefined;
  }
  return { ...r, json, dir, eventFiles };
}

/** bill() that must succeed (exit 0) and print JSON. */
export function billOk(input: BillInput): BillJson {
  const r = bill(input);
  assert.equal(r.code, 0, `bill exited ${r.code}; stderr:\n${r.stderr}`);
  assert.ok(r.json, `bill printed no JSON; stdout:\n${r.stdout}`);
  return r.json;
}

export function invoice(json: BillJson, customer: string): Invoice {
  const inv = json.invoices.find((i) => i.customer === customer);
  assert.ok(inv, `no invoice for ${customer}; customers: ${json.invoices.map((i) => i.customer).join(', ')}`);
  return inv;
}

export function lines(inv: Invoice, type: string, where: Record<string, string> = {}): Line[] {
  return inv.lines.filter((l) => l.type === type && Object.entries(where).every(([k, v]) => l[k] === v));
}

export function line(inv: Invoice, type: string, where: Record<string, string> = {}): Line {
  const found = lines(inv, type, where);
  assert.equal(found.length, 1, `expected one ${type} line ${JSON.stringify(where)}; lines: ${JSON.stringify(inv.lines)}`);
  return found[0] as Line;
}

/** Sum of the amounts of the matching lines ("0" when none) as an exact decimal string. */
export function amountSum(inv: Invoice, type: string, where: Record<string, string> = {}): string {
  return lines(inv, type, where)
    .reduce((s, l) => s.plus(new Decimal(String(l.amount))), new Decimal(0))
    .toFixed();
}

/** Decimal equality of two decimal strings ("16" == "16.000"). */
export function assertDec(actual: unknown, expected: string, msg?: string): void {
  assert.equal(typeof actual, 'string', `${msg ?? 'value'} should be a decimal string, got ${JSON.stringify(actual)}`);
  assert.ok(
    new Decimal(actual as string).equals(new Decimal(expected)),
    `${msg ?? 'value'}: expected ${expected}, got ${String(actual)}`,
  );
}

/**
 * SPEC §6.5 and §9 invariants every invoice must satisfy: each amount a string with exactly the
 * currency's minor digits; subtotal = Σ base_fee, usage, sla_credit, adjustment; total = Σ lines.
 */
export function assertInvariants(inv: Invoice, digits: number): void {
  const re = digits === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${digits}}$`);
  const amounts = inv.lines.map((l) => l.amount);
  for (const a of [...amounts, inv.subtotal, inv.total]) {
    assert.equal(typeof a, 'string', `amount ${JSON.stringify(a)} is not a string`);
    assert.match(a as string, re, `amount ${String(a)} must carry exactly ${digits} minor digits`);
  }
  const sub = inv.lines
    .filter((l) => ['base_fee', 'usage', 'sla_credit', 'adjustment'].includes(String(l.type)))
    .reduce((s, l) => s.plus(new Decimal(String(l.amount))), new Decimal(0));
  const tot = inv.lines.reduce((s, l) => s.plus(new Decimal(String(l.amount))), new Decimal(0));
  assert.ok(sub.equals(new Decimal(inv.subtotal)), `subtotal ${inv.subtotal} ≠ Σ rated lines ${sub.toFixed()}`);
  assert.ok(tot.equals(new Decimal(inv.total)), `total ${inv.total} ≠ Σ lines ${tot.toFixed()}`);
}

/** Sum of unattributed quantities for one server and meter (entries may be split). */
export function unattributed(json: BillJson, server: string, meter: string): Decimal | undefined {
  const rows = (json.unattributed ?? []).filter((u) => u.server_id === server && u.meter === meter);
  if (rows.length === 0) return undefined;
  return rows.reduce((s, u) => s.plus(new Decimal(String(u.quantity))), new Decimal(0));
}

/** Epoch seconds of an RFC 3339 instant (for nagios.log lines). */
export function epochS(iso: string): number {
  return Date.parse(iso) / 1000;
}

export function hostAlert(iso: string, host: string, state: 'UP' | 'DOWN', type: 'HARD' | 'SOFT'): string {
  return `[${epochS(iso)}] HOST ALERT: ${host};${state};${type};3;PING ${state === 'UP' ? 'OK' : 'CRITICAL'}`;
}

let seq = 0;
/** A §2 sample with a fresh id. */
export function sample(
  server: string,
  ts: string | number,
  metrics: Record<string, number | string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  seq += 1;
  return { id: `acc-${process.pid}-${seq}`, server_id: server, ts, metrics, ...extra };
}

/** A USD catalogue skeleton in UTC; pass meters, plans, customers, subscriptions. */
export function catalog(parts: {
  currency?: string;
  timezone?: string;
  meters: Record<string, object>;
  plans: Record<string, object>;
  customers: Record<string, object>;
  subscriptions: object[];
}): object {
  return {
    currency: parts.currency ?? 'USD',
    timezone: parts.timezone ?? 'UTC',
    meters: parts.meters,
    plans: parts.plans,
    customers: parts.customers,
    subscriptions: parts.subscriptions,
  };
}
