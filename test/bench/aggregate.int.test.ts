// `meterline bench aggregate` at a tiny scale on the local stack: the measured run commits the
// whole pre-load, and the restore it reports is a real one — of role processes, the first
// SIGKILLed with input it had not committed, the second restoring every partition and then
// committing the whole topic (kill-restore.ts waits for that before it reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from '../../bench/aggregate.js';

test('bench aggregate reports the restore of every partition after kill -9 of a role process with input uncommitted', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-aggregate-'));
  try {
    // A short session: the restarted role waits for the killed member's to time out.
    const code = await bench.run(['--samples', '3000', '--servers', '300', '--max-seconds', '120', '--session-timeout', '6s', '--out', dir]);
    assert.equal(code, 0);
    const file = readdirSync(dir).find((f) => f.startsWith('aggregate-'));
    assert.ok(file, 'a report file');
    const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { perSecond: number; details: Record<string, number | string> };
    const d = r.details;
    assert.equal(d['samples'], 3000);
    assert.equal(d['restoreAfter'], 'kill -9 of a role process');
    assert.equal(d['restoredPartitions'], d['partitions'], 'one restore per partition');
    assert.ok(Number(d['uncommittedAtKill']) > 0, `input left uncommitted at the kill: ${d['uncommittedAtKill']}`);
    const restoreMs = Number(d['restoreMs']);
    assert.ok(restoreMs > 0 && restoreMs <= Number(d['restartToRestoredMs']), `restore ${restoreMs} ms within the restart's ${d['restartToRestoredMs']} ms`);
    // Each of the fleet's servers has state (counter baselines at least) on its one partition.
    assert.equal(d['restoredServers'], 300);
    assert.ok(Number(d['restoreChangelogRead']) > 0, 'the restore read the changelog');
    assert.ok(r.perSecond > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
