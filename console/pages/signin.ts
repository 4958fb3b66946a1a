// Sign-in with an API key (finance or customer) and sign-out. The key is checked the way the
// API checks it (the same lookup, revocation included) and then sealed into the session cookie.
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { KeyLookup } from '../../api/auth/index.js';
import { isWellFormedSecret } from '../../api/auth/keys.js';
import { getCookie } from 'hono/cookie';
import { clearSession, sameOrigin, setSession } from '../http.js';
import { sameToken, SESSION_COOKIE, type Sealer } from '../session.js';
import { errorPage } from './error.js';
import { layout, type Html } from './layout.js';

function form(next: string, message?: string): Html {
  return layout(
    { title: 'Sign in' },
    html`${message ? html`<p class="flash error" role="alert">${message}</p>` : ''}
<form method="post" action="/signin" class="card narrow">
  <input type="hidden" name="next" value="${next}">
  <label for="key">API key (finance or customer)</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus spellcheck="false">
  <button type="submit">Sign in</button>
  <p class="hint">Create one with <code>meterline keys create --role finance</code> or
  <code>--role customer --customer ID</code>.</p>
</form>`,
  );
}

/**
 * Only a path of this site (no open redirect): resolved the way a browser resolves a Location
 * (which drops tabs and newlines, so `/\t/evil` is `//evil`), then kept only when it stays on
 * this origin — and then as the resolved path, never the raw text.
 */
const BASE = 'http://console.invalid';
function safeNext(v: unknown): string {
  if (typeof v !== 'string' || !v.startsWith('/')) return '/';
  try {
    const url = new URL(v, BASE);
    return url.origin === BASE ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
}

export function signinRoutes(o: { lookup: KeyLookup; sealer: Sealer; now: () => number }): Hono {
  const app = new Hono();
  app.get('/signin', (c) => {
    const expired = c.req.query('expired') ? 'Your session ended (signed out, expired, or the key was revoked). Sign in again.' : undefined;
    return c.html(form(safeNext(c.req.query('next')), expired));
  });
  app.post('/signin', async (c) => {
    // No session yet, so no token: the Origin check alone stops a cross-site sign-in.
    if (!sameOrigin(c)) return c.html(errorPage(403, 'The form was not sent from this site (cross-site request refused).'), 403);
    const body = await c.req.parseBody();
    const secret = typeof body.key === 'string' ? body.key.trim() : '';
    const next = safeNext(body.next);
    const key = isWellFormedSecret(secret) ? await o.lookup(secret) : undefined;
    let problem: string | undefined;
    if (!key) problem = 'Unknown API key.';
    else if (key.revokedAtMs !== undefined) problem = 'This API key was revoked.';
    else if (key.role === 'agent') problem = 'An agent key only writes samples; sign in with a finance or customer key.';
    if (problem || !key) return c.html(form(next, problem), 401);
    const { token } = o.sealer.seal({ key: secret, role: key.role, ...(key.customer ? { customer: key.customer } : {}) }, o.now());
    setSession(c, token);
    return c.redirect(next, 303);
  });
  app.post('/signout', async (c) => {
    // A form like the others (SPEC §14: forms protected against CSRF): from this origin, and with
    // the session's token while there is a session; a forged post would sign the user out.
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? o.sealer.unseal(token, o.now()) : undefined;
    const sent = (await c.req.parseBody())._csrf;
    if (!sameOrigin(c) || (session && !sameToken(typeof sent === 'string' ? sent : undefined, session.csrf))) {
      return c.html(errorPage(403, 'The form was not sent from this site (cross-site request refused).'), 403);
    }
    clearSession(c);
    return c.redirect('/signin', 303);
  });
  return app;
}
