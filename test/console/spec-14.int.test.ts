// SPEC §14 promises from the audit in docs/spec-audit-14.md, checked with plain HTTP (and, for
// the width, Chromium): sign-out is a form like the others (protected against CSRF), sign-in never
// sends the browser off the site, a bad usage filter is named rather than silently replaced, a
// page that does not exist is a console page under the same headers, change plan keeps an end,
// availability, credit notes, revenue and webhook deliveries show what the API gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CSP } from '../../console/http.js';
import { dec } from '../../lib/decimal.js';
import { launch, signIn as browserSignIn, watchedPage } from './browser.js';
import { consoleApp, type ConsoleApp } from './console-app.js';

let t: ConsoleApp;
before(async () => {
  t = await consoleApp('console_spec14', '2026-10-20T00:00:00Z');
});
after(async () => {
  await t?.stop();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function signIn(key: string, next = '/usage'): Promise<Response> {
  return fetch(`${t.url}/signin`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
    body: form({ key, next }),
  });
}

async function session(key: string): Promise<string> {
  const res = await signIn(key);
  assert.equal(res.status, 303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const get = (path: string, cookie: string) => fetch(`${t.url}${path}`, { redirect: 'manual', headers: { cookie } });

/** The CSRF token a signed-in page carries in its forms (the sign-out form has one on every page). */
async function csrfOf(cookie: string): Promise<string> {
  const html = await (await get('/invoices', cookie)).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page carries a CSRF token');
  return token;
}

test('SPEC §14 "sign-out; forms protected against CSRF": a forged sign-out is refused and the session lives on', async () => {
  const cookie = await session(t.keys.acme);
  const token = await csrfOf(cookie);
  const post = (headers: Record<string, string>, body: Record<string, string>) =>
    fetch(`${t.url}/signout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(body) });

  const crossSite = await post({ origin: 'https://evil.example' }, { _csrf: token });
  assert.equal(crossSite.status, 403);
  assert.equal(crossSite.headers.get('set-cookie'), null, 'the cookie is not touched');
  const tokenless = await post({ origin: t.url }, {});
  assert.equal(tokenless.status, 403);
  assert.equal(tokenless.headers.get('set-cookie'), null);
  assert.equal((await get('/invoices', cookie)).status, 200, 'still signed in after both refusals');

  // The console's own form: same origin and the session's token → signed out.
  const real = await post({ origin: t.url }, { _csrf: token });
  assert.equal(real.status, 303);
  assert.equal(real.headers.get('location'), '/signin');
  assert.match(real.headers.get('set-cookie') ?? '', /^ml_session=;.*Max-Age=0/);
});

test('sign-in sends the browser only to a page of this site, however `next` is spelled', async () => {
  // A browser strips tabs and newlines from a URL before resolving it (WHATWG URL), so
  // "/\t/evil.example" is "//evil.example": another host. Every one of these must stay here.
  for (const next of ['//evil.example/x', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '\t//evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
    const res = await signIn(t.keys.finance, next);
    assert.equal(res.status, 303, JSON.stringify(next));
    const location = res.headers.get('location') ?? '';
    assert.equal(new URL(location, t.url).origin, t.url, `${JSON.stringify(next)} → ${JSON.stringify(location)}`);
  }
  // A page of this site with its query is kept as asked.
  const res = await signIn(t.keys.finance, '/usage?granularity=day&meter=requests');
  assert.equal(res.headers.get('location'), '/usage?granularity=day&meter=requests');
});

test('SPEC §14 usage "granularity minute/hour/day/month": another granularity is a 400 naming it, not a silent hourly chart', async () => {
  const cookie = await session(t.keys.finance);
  const res = await get('/usage?granularity=week&from=2026-10-01T00:00:00Z&to=2026-10-04T00:00:00Z', cookie);
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, /role="alert">[^<]*granularity/);
  assert.doesNotMatch(html, /<table class="points"/, 'no chart of some other granularity');
  // The four the spec names are all served.
  for (const g of ['minute', 'hour', 'day', 'month']) {
    const ok = await get(`/usage?granularity=${g}&from=2026-10-02T00:00:00Z&to=2026-10-03T00:00:00Z`, cookie);
    assert.equal(ok.status, 200, g);
  }
});

test('a page that does not exist is a console 404 under the same CSP; an unknown API route a JSON 404', async () => {
  const cookie = await session(t.keys.finance);
  for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
    const res = await fetch(`${t.url}/no-such-page`, { redirect: 'manual', headers });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(await res.text(), /<h1>404 Not found<\/h1>/);
  }
  const api = await fetch(`${t.url}/v1/no-such-route`, { headers: { authorization: `Bearer ${t.keys.finance}` } });
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await api.json(), { error: 'no route GET /v1/no-such-route' });
});

interface Subscription { id: string; server_id: string; plan: string; from: string; to: string | null }
const subsOf = async (server: string) => (await t.api<{ subscriptions: Subscription[] }>(`/v1/subscriptions?server_id=${server}`, t.keys.finance)).body.subscriptions.map((s) => [s.plan, s.from, s.to]);

/** The console's change-plan form of the (only) subscription of `server`, as finance posts it. */
async function changePlanForm(server: string, fields: Record<string, string>): Promise<(plan: string) => Promise<Response>> {
  const cookie = await session(t.keys.finance);
  const token = await csrfOf(cookie);
  const [sub] = (await t.api<{ subscriptions: Subscription[] }>(`/v1/subscriptions?server_id=${server}`, t.keys.finance)).body.subscriptions;
  return (plan) =>
    fetch(`${t.url}/subscriptions/${encodeURIComponent(sub!.id)}/change-plan`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, origin: t.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ _csrf: token, plan, ...fields }),
    });
}

test('SPEC §14 finance "customers and subscriptions (create, change plan, end) through the provisioning API": change plan', async () => {
  const change = await changePlanForm('srv-1', { at: '2026-10-15T00:00:00Z' });
  // A plan the catalogue lacks: refused by the API, named, and srv-1 keeps its subscription as it was.
  const refused = await change('no-such-plan');
  assert.equal(refused.status, 303);
  assert.match(decodeURIComponent(refused.headers.get('location') ?? ''), /error=.*plan/);
  assert.deepEqual(await subsOf('srv-1'), [['monthly', '2026-10-01T00:00:00Z', null]]);
  // hourly from the 15th: the monthly one ends at that instant, the hourly one starts there (§10).
  const moved = await change('hourly');
  assert.equal(moved.status, 303);
  assert.match(moved.headers.get('location') ?? '', /^\/customers\?ok=/);
  assert.deepEqual(await subsOf('srv-1'), [['monthly', '2026-10-01T00:00:00Z', '2026-10-15T00:00:00Z'], ['hourly', '2026-10-15T00:00:00Z', null]]);
});

test('change plan of a subscription that already has an end: the new plan ends there too; a refused plan restores that end', async () => {
  // beta rents srv-2 on the hourly plan from Oct 10 12:30 to Oct 12 03:00 (fixtures.ts).
  const change = await changePlanForm('srv-2', { at: '2026-10-11T00:00:00Z', server_id: 'srv-2' });
  await change('no-such-plan');
  assert.deepEqual(await subsOf('srv-2'), [['hourly', '2026-10-10T12:30:00Z', '2026-10-12T03:00:00Z']], 'as it was, end included');
  assert.match((await change('monthly')).headers.get('location') ?? '', /^\/customers\?ok=/);
  assert.deepEqual(await subsOf('srv-2'), [['hourly', '2026-10-10T12:30:00Z', '2026-10-11T00:00:00Z'], ['monthly', '2026-10-11T00:00:00Z', '2026-10-12T03:00:00Z']]);
});

test('a subscription that ends in the future can be ended or moved to another plan from /customers; one that has ended cannot', async () => {
  // Now is Oct 20 (consoleApp): srv-5 rented Oct 1 → Dec 1 is running; beta's srv-2 ended Oct 12.
  const finance = { authorization: `Bearer ${t.keys.finance}`, 'content-type': 'application/json' };
  const created = await fetch(`${t.url}/v1/subscriptions`, { method: 'POST', headers: finance, body: JSON.stringify({ server_id: 'srv-5', customer: 'acme', plan: 'monthly', from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }) });
  assert.equal(created.status, 201);
  const running = ((await created.json()) as { id: string }).id;
  const page = await (await get('/customers', await session(t.keys.finance))).text();
  for (const action of ['end', 'change-plan']) assert.ok(page.includes(`action="/subscriptions/${encodeURIComponent(running)}/${action}"`), `${action} offered for ${running}`);
  const [ended] = (await t.api<{ subscriptions: Subscription[] }>('/v1/subscriptions?server_id=srv-2', t.keys.finance)).body.subscriptions;
  assert.ok(!page.includes(`/subscriptions/${encodeURIComponent(ended!.id)}/`), 'nothing to change on a past subscription');
});

test('SPEC §14 customers "availability per server": the API\'s percentage, as given', async () => {
  const cookie = await session(t.keys.acme);
  const api = await t.api<{ availability_pct: string }>('/v1/availability?server_id=srv-1&period=2026-10', t.keys.acme);
  assert.equal(api.status, 200);
  const html = await (await get('/availability?server_id=srv-1&period=2026-10', cookie)).text();
  assert.equal(/data-availability>([^<]*)</.exec(html)?.[1], `${api.body.availability_pct} %`);
});

test('SPEC §14 customers "credit notes": the customer reads its own, another customer gets a 404 that shows nothing of it; finance revenue and webhook deliveries', async () => {
  t.setNow('2026-11-02T00:00:00Z'); // October over; sessions are made after this (12 h of this clock)
  const finance = { authorization: `Bearer ${t.keys.finance}`, 'content-type': 'application/json' };
  const hook = await fetch(`${t.url}/v1/webhooks`, { method: 'POST', headers: finance, body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['invoice.finalized', 'credit_note.created'] }) });
  assert.equal(hook.status, 201);
  const webhook = ((await hook.json()) as { id: string }).id;
  assert.equal((await fetch(`${t.url}/v1/invoices/finalize?period=2026-10`, { method: 'POST', headers: finance })).status, 200);
  const [inv] = (await t.api<{ invoices: { id: string }[] }>('/v1/invoices?customer=acme&period=2026-10', t.keys.finance)).body.invoices;
  const created = await fetch(`${t.url}/v1/invoices/${inv!.id}/credit-notes`, { method: 'POST', headers: finance, body: JSON.stringify({ reason: 'goodwill', lines: [{ n: 1, amount: '10.00' }] }) });
  assert.equal(created.status, 201);
  const note = (await created.json()) as { id: string; number: string; total: string };
  assert.equal(note.total, '-10.00'); // acme is untaxed here: the credited 10.00, negated

  const acme = await session(t.keys.acme);
  const listed = await (await get(`/invoices/${inv!.id}`, acme)).text();
  assert.match(listed, new RegExp(`<a href="/credit-notes/${note.id}">${note.number}</a>`));
  const own = await get(`/credit-notes/${note.id}`, acme);
  assert.equal(own.status, 200);
  assert.match(await own.text(), /data-total="total">-10\.00</);
  assert.equal((await get(`/credit-notes/${note.id}/document.pdf`, acme)).status, 200);

  const beta = await session(t.keys.beta);
  for (const path of [`/credit-notes/${note.id}`, `/credit-notes/${note.id}/document.html`]) {
    const other = await get(path, beta);
    assert.equal(other.status, 404, path);
    const text = await other.text();
    assert.doesNotMatch(text, new RegExp(`acme|goodwill|${note.number}|-10\\.00`), `${path} shows nothing of acme's credit note`);
  }
  // Finance's revenue is net of the credit note: acme's final October, excluding tax, less 10.00.
  const [final] = (await t.api<{ invoices: { total_excluding_tax: string }[] }>('/v1/invoices?customer=acme&period=2026-10', t.keys.finance)).body.invoices;
  const page = await (await get('/revenue', await session(t.keys.finance))).text();
  const finals = page.slice(page.indexOf('Final invoices'), page.indexOf('Open drafts'));
  const net = dec(final!.total_excluding_tax).minus('10.00').toFixed(2);
  assert.match(finals, new RegExp(`<tr><td>acme</td><td class="num">1</td><td class="num">${net.replace('.', '\\.')} USD</td></tr>`));
  // SPEC §14 finance "webhooks and their deliveries": acme's and beta's finalized invoices and
  // the credit note, three events, each a delivery to the one webhook; the page lists the API's.
  const deliveries = (await t.api<{ deliveries: { event_type: string; customer: string }[] }>(`/v1/webhooks/${webhook}/deliveries`, t.keys.finance)).body.deliveries;
  assert.deepEqual(deliveries.map((d) => `${d.event_type} ${d.customer}`).sort(), ['credit_note.created acme', 'invoice.finalized acme', 'invoice.finalized beta']);
  const deliveryPage = await (await get(`/webhooks/${webhook}`, await session(t.keys.finance))).text();
  const rows = [...deliveryPage.matchAll(/<tr><td>([a-z_.]+)<\/td><td>([a-z]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(rows, deliveries.map((d) => `${d.event_type} ${d.customer}`));
  const byCustomer = await get(`/webhooks/${webhook}`, beta);
  assert.equal(byCustomer.status, 403);
  assert.doesNotMatch(await byCustomer.text(), /invoice\.finalized|credit_note/);
});

test('SPEC §14 "usable at 360 px wide": the pages the other tests do not measure — sign-in, explain, credit note, deliveries, 404', { timeout: 120_000 }, async () => {
  // After the previous test: October final, acme's invoice credited, one webhook with deliveries.
  const [inv] = (await t.api<{ invoices: { id: string }[] }>('/v1/invoices?customer=acme&period=2026-10', t.keys.finance)).body.invoices;
  const [note] = (await t.api<{ credit_notes: { id: string }[] }>(`/v1/invoices/${inv!.id}/credit-notes`, t.keys.finance)).body.credit_notes;
  const [hook] = (await t.api<{ webhooks: { id: string }[] }>('/v1/webhooks', t.keys.finance)).body.webhooks;
  const browser = await launch();
  try {
    const w = await watchedPage(browser, { width: 360 });
    const width = () => w.page.evaluate<number>('document.documentElement.scrollWidth');
    await w.page.goto(`${t.url}/signin`);
    assert.ok((await width()) <= 360, `/signin is ${await width()} px wide at 360`);
    await browserSignIn(w.page, t.url, t.keys.finance);
    for (const path of [`/invoices/${inv!.id}/lines/1`, `/invoices/${inv!.id}/lines/2`, `/credit-notes/${note!.id}`, `/webhooks/${hook!.id}`, '/no-such-page']) {
      await w.page.goto(`${t.url}${path}`);
      assert.ok((await width()) <= 360, `${path} is ${await width()} px wide at 360`);
    }
    assert.deepEqual(w.offLoopback, []);
  } finally {
    await browser.close();
  }
});
