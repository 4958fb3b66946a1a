// The web console in a real Chromium (SPEC §14), on the api role's app over a fresh database:
// signed in as finance and as a customer, the chart's points are /v1/rollups' values, an
// invoice page shows the API's totals, a customer cannot reach another customer's pages by
// editing the URL, cross-site posts are refused, a revoked key ends its session, the pages
// work by keyboard and at 360 px, no console errors, and no request leaves loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launch, signIn, watchedPage, type Watched } from './browser.js';
import { consoleApp, type ConsoleApp } from './console-app.js';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';

interface Rollup { bucket: string; server_id: string; meter: string; value: string; unit: string }
interface Invoice { id: string; customer: string; subtotal: string; total: string; lines: { amount: string }[] }
interface Subscription { id: string; server_id: string; to: string | null }

let t: ConsoleApp;
let browser: Browser;
const opened: Watched[] = [];
const RANGE = 'granularity=hour&from=2026-10-02T00:00:00Z&to=2026-10-04T00:00:00Z';

before(async () => {
  t = await consoleApp('console_browser', '2026-10-20T00:00:00Z');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await t?.stop();
});

async function page(opts?: { width?: number }): Promise<Watched> {
  const w = await watchedPage(browser, opts);
  opened.push(w);
  return w;
}

/** Every data point the page lists under its charts: [bucket, server, value]. */
const points = (p: Page) =>
  p.$$eval('table.points tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent ?? '')));

test('finance: the fleet chart plots exactly the points of GET /v1/rollups', { timeout: 150_000 }, async () => {
  const w = await page();
  await signIn(w.page, t.url, t.keys.finance);
  await w.page.goto(`${t.url}/usage?${RANGE}`);
  const chart = w.page.locator('.chart[data-ready="true"]');
  await chart.waitFor();
  const api = await t.api<{ rollups: Rollup[] }>(`/v1/rollups?${RANGE}`, t.keys.finance);
  assert.equal(api.status, 200);
  const expected = api.body.rollups.map((r) => [r.bucket, r.server_id, r.value]);
  assert.deepEqual(await points(w.page), expected);
  // Worked by hand from the parts (console-app.ts): srv-1 150 + 25.5 in the 10:00 hour, 70 at
  // 13:00, 1234.567 on the 3rd; srv-9 2 × 11.5 and 3 × 11.5 at noon.
  assert.deepEqual(expected, [
    ['2026-10-02T10:00:00Z', 'srv-1', '175.5'],
    ['2026-10-02T12:00:00Z', 'srv-9', '23'],
    ['2026-10-02T13:00:00Z', 'srv-1', '70'],
    ['2026-10-03T08:00:00Z', 'srv-1', '1234.567'],
    ['2026-10-03T12:00:00Z', 'srv-9', '34.5'],
  ]);
  // Top servers over the range, exact sums: 175.5 + 70 + 1234.567 = 1480.067; 23 + 34.5 = 57.5.
  const top = await w.page.$$eval('table.top tbody tr', (trs) => trs.map((r) => Array.from(r.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent)));
  assert.deepEqual(top, [['srv-1', '1480.067'], ['srv-9', '57.5']]);
  assert.equal(await chart.getAttribute('data-points'), String(expected.length));
  assert.ok(await w.page.locator('.chart canvas').count(), 'uPlot drew a canvas');
  if (process.env.METERLINE_CONSOLE_SCREENSHOT) {
    await w.page.goto(`${t.url}/usage?granularity=day&from=2026-10-01T00:00:00Z&to=2026-10-20T00:00:00Z`);
    await chart.waitFor();
    await w.page.screenshot({ path: process.env.METERLINE_CONSOLE_SCREENSHOT, fullPage: true });
  }
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.offLoopback, []);
});

test('customer: own chart equals /v1/rollups; the invoice page shows the API totals and the explain offsets', { timeout: 150_000 }, async () => {
  const w = await page();
  await signIn(w.page, t.url, t.keys.acme);
  await w.page.goto(`${t.url}/usage?${RANGE}`);
  await w.page.locator('.chart[data-ready="true"]').waitFor();
  const api = await t.api<{ rollups: Rollup[] }>(`/v1/rollups?${RANGE}`, t.keys.acme);
  assert.deepEqual(await points(w.page), api.body.rollups.map((r) => [r.bucket, r.server_id, r.value]));

  await w.page.click('nav >> text=Invoices');
  await w.page.locator('table.invoices').waitFor();
  const rows = await w.page.$$eval('table.invoices tbody tr', (trs) => trs.map((r) => r.getAttribute('data-id')));
  const own = await t.api<{ invoices: Invoice[] }>('/v1/invoices', t.keys.acme);
  assert.deepEqual(rows, own.body.invoices.map((i) => i.id));
  const inv = own.body.invoices[0]!;
  await Promise.all([w.page.waitForURL(`${t.url}/invoices/${inv.id}`), w.page.click(`a[href="/invoices/${inv.id}"]`)]);
  const shown = async (name: string) => (await w.page.locator(`[data-total="${name}"]`).textContent())?.trim();
  assert.equal(await shown('subtotal'), inv.subtotal);
  assert.equal(await shown('total'), inv.total);
  // By hand: 30.00 base + (1480.067 − 100 free) × 0.01 = 13.80 → 43.80; 10 % discount −4.38 → 39.42.
  assert.equal(inv.total, '39.42');
  const amounts = await w.page.$$eval('table.lines tbody tr td:last-child', (tds) => tds.map((td) => td.textContent?.trim()));
  assert.deepEqual(amounts, inv.lines.map((l) => l.amount));

  await Promise.all([w.page.waitForURL(`${t.url}/invoices/${inv.id}/lines/2`), w.page.click('a[aria-label="explain line 2"]')]);
  const explained = await t.api<{ offsets: { rollups: { first_offset: string; last_offset: string }[] } }>(`/v1/invoices/${inv.id}/lines/2/explain`, t.keys.acme);
  const cells = await w.page.$$eval('table.rollup-offsets tbody tr', (trs) => trs.map((r) => Array.from(r.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent)));
  assert.deepEqual(cells, explained.body.offsets.rollups.map((r) => ['usage.rollups', '0', r.first_offset, r.last_offset]));
  assert.equal(await w.page.locator('table.parts tbody tr').count(), 4); // the four srv-1 parts
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.offLoopback, []);
});

test('a customer cannot reach another customer\'s pages by editing the URL', { timeout: 120_000 }, async () => {
  const beta = (await t.api<{ invoices: Invoice[] }>('/v1/invoices?customer=beta', t.keys.finance)).body.invoices[0]!;
  const w = await page();
  await signIn(w.page, t.url, t.keys.acme);
  const cases: [string, number][] = [
    [`/invoices/${beta.id}`, 404],
    [`/invoices/${beta.id}/lines/1`, 404],
    [`/invoices/${beta.id}/document.pdf`, 404],
    ['/usage?customer=beta', 403],
    ['/invoices?customer=beta', 403],
    ['/customers', 403],
    ['/revenue', 403],
    ['/webhooks', 403],
  ];
  for (const [path, status] of cases) {
    const res = await w.page.goto(`${t.url}${path}`);
    assert.equal(res?.status(), status, path);
    const text = await w.page.locator('main').innerText();
    assert.doesNotMatch(text, /beta|srv-2|srv-9|999/, `${path} shows nothing of beta or of servers acme does not rent`);
  }
  // Another customer's server id in the usage filter: the API gives no rollups of it.
  await w.page.goto(`${t.url}/usage?server_id=srv-2&granularity=day&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
  assert.equal(await w.page.locator('table.points tbody tr').count(), 0);
  assert.match(await w.page.locator('main').innerText(), /No usage in this range/);
  await w.page.goto(`${t.url}/usage?granularity=day&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
  assert.doesNotMatch(await w.page.locator('main').innerText(), /srv-9|srv-2/);
  assert.deepEqual(w.offLoopback, []);
});

test('forms: a cross-site post is refused, a post without the session token too; finance provisions through the API', { timeout: 120_000 }, async () => {
  const subs = await t.api<{ subscriptions: Subscription[] }>('/v1/subscriptions?server_id=srv-1', t.keys.finance);
  const target = subs.body.subscriptions[0]!;
  assert.equal(target.to, null);
  const w = await page();
  await signIn(w.page, t.url, t.keys.finance);

  // Another site (localhost is not the same site as 127.0.0.1) with a form aimed at the console.
  const evil: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form method="post" action="${t.url}/subscriptions/${encodeURIComponent(target.id)}/end">
      <input name="to" value="2026-10-05T00:00:00Z"><input name="_csrf" value="guess"><button id="go">win a prize</button></form>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  try {
    await w.page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
    const [res] = await Promise.all([w.page.waitForResponse((r) => r.url().includes('/end')), w.page.click('#go')]);
    assert.equal(res.status(), 403);
  } finally {
    evil.close();
  }
  // The browser's own cookie with a foreign Origin, and a same-origin post without the token.
  const ended = `${t.url}/subscriptions/${encodeURIComponent(target.id)}/end`;
  const csrf = await (async () => {
    await w.page.goto(`${t.url}/customers`);
    return w.page.locator('input[name=_csrf]').first().inputValue();
  })();
  const foreign = await w.context.request.post(ended, { form: { to: '2026-10-05T00:00:00Z', _csrf: csrf }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
  assert.equal(foreign.status(), 403);
  const tokenless = await w.context.request.post(ended, { form: { to: '2026-10-05T00:00:00Z' }, headers: { origin: t.url }, maxRedirects: 0 });
  assert.equal(tokenless.status(), 403);
  const still = await t.api<{ subscriptions: Subscription[] }>('/v1/subscriptions?server_id=srv-1', t.keys.finance);
  assert.equal(still.body.subscriptions[0]!.to, null, 'no refused post changed anything');

  // The real form, by keyboard: subscribe srv-3 to acme, then end it.
  await w.page.fill('form[action="/subscriptions"] input[name=server_id]', 'srv-3');
  await w.page.fill('form[action="/subscriptions"] input[name=customer]', 'acme');
  await w.page.selectOption('form[action="/subscriptions"] select[name=plan]', 'hourly');
  await w.page.fill('form[action="/subscriptions"] input[name=from]', '2026-10-15T00:00:00Z');
  await Promise.all([w.page.waitForURL(/\/customers\?ok=/), w.page.press('form[action="/subscriptions"] input[name=from]', 'Enter')]);
  const created = await t.api<{ subscriptions: (Subscription & { plan: string; from: string })[] }>('/v1/subscriptions?server_id=srv-3', t.keys.finance);
  assert.deepEqual(created.body.subscriptions.map((s) => [s.plan, s.from, s.to]), [['hourly', '2026-10-15T00:00:00Z', null]]);
  const endForm = `form[action="/subscriptions/${encodeURIComponent(created.body.subscriptions[0]!.id)}/end"]`;
  await w.page.fill(`${endForm} input[name=to]`, '2026-10-16T00:00:00Z');
  await Promise.all([w.page.waitForURL(/\/customers\?ok=/), w.page.click(`${endForm} button`)]);
  const after = await t.api<{ subscriptions: Subscription[] }>('/v1/subscriptions?server_id=srv-3', t.keys.finance);
  assert.equal(after.body.subscriptions[0]!.to, '2026-10-16T00:00:00Z');
  assert.deepEqual(w.offLoopback, []);
});

test('keyboard and 360 px: skip link first, sign-in by Enter, no page wider than the screen', { timeout: 120_000 }, async () => {
  const w = await page({ width: 360 });
  await w.page.goto(`${t.url}/signin`);
  // The key field has the focus on arrival (autofocus, applied by the browser a moment after
  // load: waited for, or the first keys go nowhere): type the key, press Enter.
  await w.page.locator('input#key:focus').waitFor();
  await w.page.keyboard.type(t.keys.acme);
  await Promise.all([w.page.waitForURL(`${t.url}/usage`), w.page.keyboard.press('Enter')]);
  await w.page.keyboard.press('Tab');
  assert.equal(await w.page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
  const inv = (await t.api<{ invoices: Invoice[] }>('/v1/invoices', t.keys.acme)).body.invoices[0]!;
  for (const path of [`/usage?${RANGE}`, '/invoices', `/invoices/${inv.id}`, '/availability?server_id=srv-1&period=2026-10']) {
    await w.page.goto(`${t.url}${path}`);
    const width = await w.page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 360, `${path} is ${width} px wide at 360`);
  }
  const f = await page({ width: 360 });
  await signIn(f.page, t.url, t.keys.finance);
  for (const path of ['/invoices', '/revenue', '/customers', '/what-if', '/webhooks']) {
    await f.page.goto(`${t.url}${path}`);
    const width = await f.page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 360, `${path} is ${width} px wide at 360 (finance)`);
  }
  assert.deepEqual(f.errors, []);
  assert.deepEqual(w.errors, []);
});

test('a revoked key ends its session; signing out ends it too', { timeout: 120_000 }, async () => {
  const { issueKey } = await import('../../api/auth/index.js');
  const issued = await issueKey(t.store, { role: 'customer', customer: 'acme' });
  const w = await page();
  await signIn(w.page, t.url, issued.secret);
  await t.store.revoke(issued.key.id);
  await w.page.goto(`${t.url}/invoices`);
  assert.equal(new URL(w.page.url()).pathname, '/signin');
  await signIn(w.page, t.url, t.keys.acme);
  await Promise.all([w.page.waitForURL(`${t.url}/signin`), w.page.click('form.signout button')]);
  await w.page.goto(`${t.url}/invoices`);
  assert.equal(new URL(w.page.url()).pathname, '/signin');
});

test('finance: finalize a period, credit a line, read both documents; webhooks with the secret shown once', { timeout: 150_000 }, async () => {
  t.setNow('2026-11-02T00:00:00Z'); // October has ended (before signing in: sessions last 12 h of this clock)
  const w = await page();
  await signIn(w.page, t.url, t.keys.finance);
  await w.page.goto(`${t.url}/invoices`);
  await w.page.fill('form[action="/invoices/finalize"] input[name=period]', '2026-10');
  await Promise.all([w.page.waitForURL(/\/invoices\?period=2026-10&ok=/), w.page.click('form[action="/invoices/finalize"] button')]);
  const [acme] = (await t.api<{ invoices: (Invoice & { status: string })[] }>('/v1/invoices?customer=acme&period=2026-10', t.keys.finance)).body.invoices;
  assert.equal(acme!.status, 'final');

  await w.page.goto(`${t.url}/invoices/${acme!.id}`);
  const form = `form[action="/invoices/${acme!.id}/credit-notes"]`;
  await w.page.fill(`${form} input[name=reason]`, 'goodwill');
  await w.page.fill(`${form} input[name=n]`, '1');
  await w.page.fill(`${form} input[name=amount]`, '10.00');
  await Promise.all([w.page.waitForURL(/\/credit-notes\//), w.page.click(`${form} button`)]);
  const notes = await t.api<{ credit_notes: { id: string; total: string }[] }>(`/v1/invoices/${acme!.id}/credit-notes`, t.keys.finance);
  assert.equal(notes.body.credit_notes.length, 1);
  // acme is untaxed in this catalogue: the credit note is the credited amount, negated.
  assert.equal(notes.body.credit_notes[0]!.total, '-10.00');
  assert.equal((await w.page.locator('[data-total="total"]').textContent())?.trim(), '-10.00');

  for (const [path, type] of [
    [`/invoices/${acme!.id}/document.html`, 'text/html'],
    [`/invoices/${acme!.id}/document.pdf`, 'application/pdf'],
    [`/credit-notes/${notes.body.credit_notes[0]!.id}/document.pdf`, 'application/pdf'],
  ] as const) {
    const res = await w.context.request.get(`${t.url}${path}`);
    assert.equal(res.status(), 200, path);
    assert.match(res.headers()['content-type'] ?? '', new RegExp(`^${type}`), path);
  }
  // The HTML document opens in the browser under its own policy, without console errors.
  await w.page.goto(`${t.url}/invoices/${acme!.id}/document.html`);
  // acme now also has srv-3 (24 h × 0.12 = 2.88, the forms test): 30.00 + 13.80 + 2.88 = 46.68,
  // 10 % discount −4.67 → 42.01, the API's total.
  assert.equal(acme!.total, '42.01');
  assert.match(await w.page.locator('body').innerText(), /Total \(USD\)\s+42\.01/);

  // What-if: the page shows the API's comparison for the same proposed catalogue.
  const proposed = CATALOG_TEXT.replace('amount: "30.00", per: month', 'amount: "40.00", per: month');
  const reference = (await (await fetch(`${t.url}/v1/what-if?period=2026-10`, { method: 'POST', headers: { authorization: `Bearer ${t.keys.finance}` }, body: proposed })).json()) as { customers: { customer: string; difference: string }[] };
  await w.page.goto(`${t.url}/what-if`);
  await w.page.fill('input[name=period]', '2026-10');
  await w.page.fill('#catalog', proposed);
  await Promise.all([w.page.waitForURL(`${t.url}/what-if`), w.page.click('form[action="/what-if"] button')]);
  const shown = await w.page.$$eval('td[data-difference]', (tds) => tds.map((td) => [td.getAttribute('data-difference'), (td.textContent ?? '').trim()]));
  assert.deepEqual(shown, reference.customers.map((r) => [r.customer, `${r.difference} USD`]));
  // acme now: 46.68 − 4.67 = 42.01; with a 40.00 base fee 56.68 − 5.67 = 51.01: +9.00.
  assert.equal(reference.customers[0]?.difference, '9.00');

  await w.page.goto(`${t.url}/webhooks`);
  await w.page.fill('form[action="/webhooks"] input[name=url]', 'http://127.0.0.1:9/hook');
  await Promise.all([w.page.waitForURL(`${t.url}/webhooks`), w.page.click('form[action="/webhooks"] button')]);
  const secret = (await w.page.locator('[data-secret]').textContent()) ?? '';
  assert.ok(secret.length >= 24, 'the signing secret is shown');
  await w.page.goto(`${t.url}/webhooks`);
  assert.doesNotMatch(await w.page.content(), new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'and never again');
  assert.equal(await w.page.locator('table.webhooks tbody tr').count(), 1);
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.offLoopback, []);
});
