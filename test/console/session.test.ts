// Sealed sessions: what is sealed comes back; a changed byte, another seal key or an expired
// session is simply no session; every seal has its own CSRF token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sameToken, sealer, SESSION_TTL_MS } from '../../console/session.js';

const KEY = randomBytes(32);
const T0 = Date.parse('2026-10-20T00:00:00Z');

test('seal → unseal round trip until the session expires', () => {
  const s = sealer(KEY);
  const { token, session } = s.seal({ key: 'ml_secret', role: 'customer', customer: 'acme' }, T0);
  assert.deepEqual(s.unseal(token, T0 + 1000), session);
  assert.equal(session.expiresMs, T0 + SESSION_TTL_MS);
  assert.equal(s.unseal(token, T0 + SESSION_TTL_MS), undefined);
  assert.notEqual(s.seal({ key: 'ml_secret', role: 'finance' }, T0).session.csrf, session.csrf);
  assert.doesNotMatch(Buffer.from(token, 'base64url').toString('latin1'), /ml_secret/, 'the key is not readable in the cookie');
});

test('a tampered token or one sealed with another key is no session', () => {
  const { token } = sealer(KEY).seal({ key: 'k', role: 'finance' }, T0);
  const raw = Buffer.from(token, 'base64url');
  raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
  assert.equal(sealer(KEY).unseal(raw.toString('base64url'), T0), undefined);
  assert.equal(sealer(randomBytes(32)).unseal(token, T0), undefined);
  assert.equal(sealer(KEY).unseal('short', T0), undefined);
});

test('CSRF tokens compare whole', () => {
  assert.equal(sameToken('abc', 'abc'), true);
  assert.equal(sameToken('abd', 'abc'), false);
  assert.equal(sameToken('ab', 'abc'), false);
  assert.equal(sameToken(undefined, 'abc'), false);
});
