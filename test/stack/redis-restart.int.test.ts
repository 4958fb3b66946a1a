// Deduplication state must survive Redis going away: a key acknowledged just before a crash
// (SIGKILL: no shutdown save) is there after `up`, which only the append-only file gives. Runs
// its own Redis (own port base and stack dir) so the shared stack is untouched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { portFree, waitUntil } from '../../stack/net.js';
import { ourLivePid, pidFile, processStartTime } from '../../stack/process.js';
import { redis } from '../../stack/redis.js';
import { down, up } from '../../stack/stack.js';
import { ownStack, quiet } from './own-stack.js';

const { settings: s, dir } = await ownStack('redis-restart', (p) => [p.redis]);
after(async () => {
  await down(s, quiet, [redis]);
  rmSync(dir, { recursive: true, force: true });
});

test('a key acknowledged before a crash is read after the restart (append-only file)', async () => {
  await up(s, quiet, [redis]);
  const url = `redis://127.0.0.1:${s.ports.redis}`;
  const before = new Redis(url);
  assert.equal(await before.set('dedup:sample-1', '1', 'PX', 3_600_000, 'NX'), 'OK');
  await before.quit();
  // A crash: no chance to write a snapshot. (RDB save points need 100+ writes or an hour.)
  const pid = ourLivePid(pidFile(s.paths.run, 'redis'));
  assert.ok(pid !== undefined);
  process.kill(pid, 'SIGKILL');
  await waitUntil(async () => processStartTime(pid) === undefined, {
    what: 'redis to die',
    timeoutMs: 10_000,
    intervalMs: 20,
  });
  // A child Redis forked for its AOF rewrite inherits the listening socket and outlives the
  // parent for a moment: the port, not the pid, says when a new server can bind.
  await waitUntil(async () => portFree(s.ports.redis), { what: 'the redis port to be released', timeoutMs: 10_000, intervalMs: 20 });
  await up(s, quiet, [redis]);
  const afterRestart = new Redis(url);
  try {
    assert.equal(await afterRestart.get('dedup:sample-1'), '1');
    assert.equal(await afterRestart.set('dedup:sample-1', '1', 'PX', 3_600_000, 'NX'), null); // still a duplicate
  } finally {
    await afterRestart.quit();
  }
});
