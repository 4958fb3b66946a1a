// Sign-in with an API key (finance or customer) and sign-out. The key is checked the way the
// API checks it (the same lookup, revocation included) and then sealed into the session cookie.
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { KeyLookup } from '../../api/auth/index.js';
import { isWellFormedSecret } from '../../api/auth/keys.js';
import { clearSession, sameOrigin, setSession } from '../http.js';
import type { Sealer } from '../session.js';
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

/** Only a path of this site: never `//host` or a full URL (open redirect). */
const safeNext = (v: unknown): string => (typeof v === 'string' && /^\/(?![/\\])/.test(v) ? v : '/');

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
  app.post('/signout', (c) => {
    // Signing out needs no token: the worst a forged sign-out does is sign someone out.
    clearSession(c);
    return c.redirect('/signin', 303);
  });
  return app;
}
