// A path no route serves answers like the rest of the API: JSON with an `error` naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../observability/log.js';

test('an unknown route is a JSON 404 naming the method and path', async () => {
  const app = createApp({ log: createLogger('silent') });
  for (const [method, path] of [['GET', '/v1/nothing'], ['POST', '/elsewhere']] as const) {
    const res = await app.request(path, { method });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { error: `no route ${method} ${path}` });
  }
  assert.equal((await app.request('/healthz')).status, 200, 'known routes are untouched');
});
