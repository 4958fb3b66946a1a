// A role whose database is not there at start (still starting, being restarted) waits for it:
// the process stays up, /readyz names what it waits for, and SIGTERM while it waits ends it
// at once with exit code 0 (a shutdown, not a failure). A closed port stands in for the database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Child } from '../e2e/processes.js';
import { freePort } from '../stack/free-port.js';

test('sink with no database at start: not ready, waiting; SIGTERM exits 0 promptly', { timeout: 120_000 }, async () => {
  const [deadDb, port] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${deadDb}/meterline`,
    KAFKA_TOPIC_PREFIX: `t${randomBytes(4).toString('hex')}.start-waits.`,
    PORT: String(port),
    METERLINE_LOG_LEVEL: 'info',
  };
  const sink = new Child('sink', ['sink', '--catalog', 'examples/catalog.yaml'], env);
  after(() => sink.kill('SIGKILL'));
  await sink.waitFor(/catalogue sync: dependency not available, retrying/);
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
  assert.match(body.checks.sink?.error ?? '', /catalogue: cannot sync the catalogue: .*ECONNREFUSED/);
  assert.equal(sink.child.exitCode, null);
  const t0 = Date.now();
  assert.equal(await sink.kill('SIGTERM'), 0);
  assert.ok(Date.now() - t0 < 5_000, `exit took ${Date.now() - t0} ms`);
});
