// What `npm start` prints once it runs: the console URL, and the development finance key —
// created on the first start and shown that once (only its hash is kept), named on later
// starts, never created in production or against external services.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret, pgKeyStore } from '../../api/auth/index.js';
import { announce, devKeyWanted } from '../../cli/start-banner.js';
import { DEV_KEY_DESCRIPTION } from '../../console/dev-key.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

let db: FreshDb;
before(async () => {
  db = await freshDb('start_banner');
});
after(async () => db?.drop());

async function banner(devKey: boolean): Promise<string[]> {
  const lines: string[] = [];
  const stop = await announce({ pool: db.pool, port: 8123, devKey, demo: false, print: (l) => lines.push(l) });
  await stop();
  return lines;
}

test('first start: URL and a finance key printed once; later starts name it without the secret', async () => {
  const first = await banner(true);
  assert.ok(first.includes('meterline is running. Web console: http://localhost:8123/'));
  const secret = first.map((l) => l.trim()).find((l) => l.startsWith('ml_'));
  assert.ok(secret, 'the key is printed');
  const key = await pgKeyStore(db.pool).findByHash(hashSecret(secret));
  assert.equal(key?.role, 'finance');
  assert.equal(key?.description, DEV_KEY_DESCRIPTION);

  const again = await banner(true);
  assert.equal(again.some((l) => l.includes(secret)), false, 'never shown twice');
  assert.ok(again.some((l) => l.includes(key!.id)), 'the existing key is named');
  assert.equal((await pgKeyStore(db.pool).list()).length, 1, 'and no second key made');
});

test('no development key in production or against external services', async () => {
  const before = (await pgKeyStore(db.pool).list()).length;
  const lines = await banner(false);
  assert.equal(lines.some((l) => /ml_/.test(l)), false);
  assert.equal((await pgKeyStore(db.pool).list()).length, before);
  assert.equal(devKeyWanted(true, { NODE_ENV: 'production' }), false);
  assert.equal(devKeyWanted(false, {}), false);
  assert.equal(devKeyWanted(true, {}), true);
});
