// `meterline bill` with tax (SPEC §12), run as the real CLI on the shipped samples with the
// shipped catalogue plus an issuer, taxes and customers' tax treatment. Invoices before tax are
// those worked by hand in test/cli/bill.test.ts: acme 500.00 (minimum commit), globex 121.60.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ex = (f: string): string => join(root, 'examples', f);

function bill(catalogText: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'meterline-bill-tax-')), 'catalog.yaml');
  writeFileSync(file, catalogText);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'meterline.js'), 'bill', '--catalog', file, '--events', ex('samples.ndjson'), '--period', '2026-10', ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The shipped catalogue with `extra` before `customers:` and each customer's entry replaced. */
function withTax(extra: string, acme: string, globex: string): string {
  const base = readFileSync(ex('catalog.yaml'), 'utf8');
  const out = base
    .replace(/^customers:\n/m, `${extra}customers:\n`)
    .replace(/^ {4}currency: USD\n/m, `    currency: USD\n${acme}`)
    .replace(/^ {2}globex: \{\}\n/m, `  globex:\n${globex}`);
  assert.notEqual(out, base);
  return out;
}

const TAXED = withTax(
  `issuer: { name: "Example Hosting GmbH", address: ["Hauptstr. 1", "10115 Berlin"], country: DE, vat_id: DE123456789 }
taxes:
  de-vat: { rate: "19", name: "USt." }
`,
  '    tax: de-vat\n',
  '    billing: { name: "Globex AG", address: ["Ring 1", "1010 Wien"], country: AT, vat_id: ATU12345678 }\n    tax: reverse_charge\n',
);

test('bill: one tax line after every other line, and the three totals', () => {
  const r = bill(TAXED);
  assert.equal(r.code, 0, r.stderr);
  const [acme, globex] = JSON.parse(r.stdout).invoices;
  // acme: 500.00 before tax (after discount and the commit true-up); 19 % → 95.00; 595.00.
  assert.deepEqual(acme.lines.slice(-3), [
    { type: 'discount', amount: '-14.71' },
    { type: 'minimum_commit', amount: '367.66' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '500.00', amount: '95.00' },
  ]);
  assert.deepEqual([acme.subtotal, acme.total_excluding_tax, acme.tax_total, acme.total], ['147.05', '500.00', '95.00', '595.00']);
  // globex: reverse charge on 121.60 — rate 0, amount 0.00, total unchanged.
  assert.deepEqual(globex.lines.at(-1), { type: 'tax', code: 'reverse_charge', rate: '0', base: '121.60', amount: '0.00' });
  assert.deepEqual([globex.subtotal, globex.total_excluding_tax, globex.tax_total, globex.total], ['121.60', '121.60', '0.00', '121.60']);
});

test('bill --format table: the tax line and the three totals', () => {
  const r = bill(TAXED, '--format', 'table');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}tax\s+de-vat\s+500\.00\s+19 %\s+95\.00$/m);
  assert.match(r.stdout, /total excl\. tax\s+500\.00\n\s+tax\s+95\.00\n\s+total\s+595\.00/);
  assert.match(r.stdout, /^ {2}tax\s+reverse_charge\s+121\.60\s+0 %\s+0\.00$/m);
});

test('bill: a catalogue with tax problems is refused, every problem named by path', () => {
  const bad = withTax('taxes:\n  de-vat: { rate: "19%" }\n', '    tax: fr-vat\n', '    tax: reverse_charge\n');
  const r = bill(bad);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /taxes\.de-vat\.rate/);
  assert.match(r.stderr, /customers\.acme\.tax: unknown tax "fr-vat"/);
  assert.match(r.stderr, /customers\.globex\.tax: reverse_charge requires billing/);
});
