// `meterline loadgen --dry-run --out FILE`: the file is the whole output, deterministic for a
// seed and start; bad flags are refused with a one-line reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSample } from '../../pipeline/samples/parse.js';

const BIN = new URL('../../bin/meterline.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'loadgen', ...args], { encoding: 'utf8' });

test('--dry-run writes what would be sent; the same seed and start give the same file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterline-loadgen-cli-'));
  try {
    const args = ['--servers', '4', '--rounds', '30', '--seed', '9', '--start', '2026-10-01T00:00:00Z', '--duplicates', '0.1', '--dry-run'];
    const a = run(...args, '--out', join(dir, 'a.ndjson'));
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stderr, /loadgen: \d+ samples sent \(120 generated for 4 servers × 30 rounds from 2026-10-01T00:00:00.000Z, seed 9\)/);
    assert.equal(run(...args, '--out', join(dir, 'b.ndjson')).status, 0);
    const text = readFileSync(join(dir, 'a.ndjson'), 'utf8');
    assert.equal(text, readFileSync(join(dir, 'b.ndjson'), 'utf8'));
    const lines = text.trimEnd().split('\n');
    const sent = Number(/loadgen: (\d+) samples sent/.exec(a.stderr)?.[1]);
    assert.equal(lines.length, sent);
    const ids = new Set<string>();
    for (const l of lines) {
      const r = parseSample(JSON.parse(l));
      assert.ok(r.ok, l);
      ids.add(r.sample.id);
    }
    assert.equal(ids.size, 120, 'every generated sample is in the file; the rest are duplicates');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flags are named', () => {
  const r = run('--servers', 'many', '--dry-run', '--out', '/dev/null');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--servers "many": must be a whole number/);
  const r2 = run('--dry-run');
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--dry-run writes only the --out file/);
  const r3 = run('--servers', '1', '--rounds', '1');
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /needs an agent key: --key KEY or --key-file FILE/);
});
