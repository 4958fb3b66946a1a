// The console's HTTP plumbing: security headers on every page, the session cookie, the
// same-origin + CSRF-token check on every form post, and turning an API refusal into a page.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ApiAnswer, ApiClient } from './api-client.js';
import { apiClient } from './api-client.js';
import type { Hono } from 'hono';
import { sameToken, SESSION_COOKIE, SESSION_TTL_MS, type Sealer, type Session } from './session.js';
import { errorPage } from './pages/error.js';

export type ConsoleEnv = { Variables: { session: Session; api: ApiClient; requestId?: string } };
export type ConsoleContext = Context<ConsoleEnv>;

/** No inline script or style, nothing from another origin, no framing, forms only to us. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  setSecurityHeaders(c);
};

/** The console's headers on the answer being built (pages, assets, sign-in, the 404 page). */
export function setSecurityHeaders(c: Context): void {
  // A printable document passed through from the API keeps its own (stricter) policy.
  if (!c.res.headers.get('content-security-policy')) c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` on our own posts.
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Frame-Options', 'DENY');
  if (!c.res.headers.get('cache-control')) c.header('Cache-Control', 'no-store');
}

const overTls = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';

export function setSession(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Strict', secure: overTls(c), path: '/', maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export const clearSession = (c: Context): void => {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: overTls(c) });
};

/**
 * A post must come from our own pages: the browser's Origin (or Sec-Fetch-Site) names this
 * origin. Chromium, Firefox and Safari send Origin on every POST; a request with neither is not
 * a browser's cross-site post (curl), and the CSRF token still guards it.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === new URL(c.req.url).origin || origin === `${c.req.header('x-forwarded-proto') ?? 'http'}://${c.req.header('host')}`;
  const site = c.req.header('sec-fetch-site');
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** Pages need a session: GETs are sent to sign-in, posts without one are refused. */
export function requireSession(app: Hono, sealer: Sealer, now: () => number): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? sealer.unseal(token, now()) : undefined;
    if (!session) {
      if (c.req.method === 'GET') {
        const url = new URL(c.req.url);
        return c.redirect(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return c.html(errorPage(403, 'This form needs a signed-in session of this site.'), 403);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      const token = typeof form._csrf === 'string' ? form._csrf : undefined;
      if (!sameOrigin(c) || !sameToken(token, session.csrf)) {
        return c.html(errorPage(403, 'The form was not sent from this site (cross-site request refused).'), 403);
      }
    }
    c.set('session', session);
    c.set('api', apiClient(app, session.key, c.req.header('x-request-id')));
    await next();
  };
}

/**
 * The page for an API answer that is not 2xx: 401 (key revoked or unknown) ends the session,
 * 403/404 show nothing of what was asked, anything else names the API's error.
 */
export function refused(c: ConsoleContext, a: ApiAnswer<unknown>): Response | Promise<Response> {
  if (a.status === 401) {
    clearSession(c);
    return c.redirect('/signin?expired=1', 303);
  }
  if (a.status === 403) return c.html(errorPage(403, 'Your key may not see this page.', c.get('session')), 403);
  if (a.status === 404) return c.html(errorPage(404, 'There is nothing here.', c.get('session')), 404);
  return c.html(errorPage(a.status, a.error ?? 'The API refused the request.', c.get('session')), a.status as 400);
}

/** The value of a form field (undefined when absent or a file). */
export async function formFields(c: ConsoleContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

const DOCS = { 'document.html': 'text/html', 'document.pdf': 'application/pdf' } as const;

/**
 * A printable document (SPEC §12.5) of an invoice or credit note, fetched from the API with the
 * session's key and passed through with its own headers; `doc` is `document.html|pdf`.
 */
export async function passDocument(c: ConsoleContext, apiPath: string, doc: string): Promise<Response> {
  const type = DOCS[doc as keyof typeof DOCS];
  const a = await c.get('api').fetchRaw(apiPath, type);
  if (a.status !== 200) return refused(c, a);
  if (!a.contentType.startsWith(type)) return refused(c, { status: 404, contentType: '' });
  const headers: Record<string, string> = { 'content-type': a.contentType };
  for (const h of ['content-security-policy', 'content-disposition']) {
    const v = a.headers?.get(h);
    if (v) headers[h] = v;
  }
  return c.body(new Uint8Array(a.raw ?? new ArrayBuffer(0)), 200, headers);
}
