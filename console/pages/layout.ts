// The page shell: one stylesheet, no inline script, a skip link and a nav that shows a role
// only the pages it may use. Every value goes through hono's html`` escaping.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Session } from '../session.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const FINANCE_NAV = [
  ['/usage', 'Usage'], ['/availability', 'Availability'], ['/invoices', 'Invoices'], ['/revenue', 'Revenue'], ['/customers', 'Customers'], ['/what-if', 'What-if'], ['/webhooks', 'Webhooks'],
] as const;
const CUSTOMER_NAV = [['/usage', 'Usage'], ['/availability', 'Availability'], ['/invoices', 'Invoices']] as const;

export interface PageOptions {
  title: string;
  session?: Session;
  /** Scripts of this page's islands, from /assets. */
  scripts?: readonly string[];
  styles?: readonly string[];
}

export function layout(o: PageOptions, body: Html): Html {
  const nav = o.session ? (o.session.role === 'finance' ? FINANCE_NAV : CUSTOMER_NAV) : [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · meterline</title>
<link rel="stylesheet" href="/assets/console.css">
${(o.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}
${(o.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <a class="brand" href="/">meterline</a>
  ${o.session
    ? html`<nav aria-label="Pages"><ul>${nav.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}</ul></nav>
  <form method="post" action="/signout" class="signout">
    <input type="hidden" name="_csrf" value="${o.session.csrf}">
    <span class="who">${o.session.role === 'customer' ? `customer ${o.session.customer ?? ''}` : 'finance'}</span>
    <button type="submit">Sign out</button>
  </form>`
    : ''}
</header>
<main id="main" tabindex="-1">
<h1>${o.title}</h1>
${body}
</main>
</body>
</html>`;
}

/** The hidden CSRF field every form of a signed-in page carries. */
export const csrfField = (s: Session): Html => html`<input type="hidden" name="_csrf" value="${s.csrf}">`;

/** A flash line from a query parameter (`?ok=` / `?error=`) after a post-redirect-get. */
export function flash(q: { ok?: string | undefined; error?: string | undefined }): Html {
  if (q.error) return html`<p class="flash error" role="alert">${q.error}</p>`;
  if (q.ok) return html`<p class="flash ok" role="status">${q.ok}</p>`;
  return html``;
}
