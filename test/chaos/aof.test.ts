// The machine-crash model of the chaos suite: the AOF files are cut back to the sizes they had
// at the chosen instant — a file that grew loses its tail (possibly mid-command, as a torn
// write), a file created afterwards is emptied, a file that did not grow is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { AofTracker } from './aof.js';

test('cutBack restores every AOF file to its size at the instant, and counts the bytes cut', () => {
  const data = mkdtempSync(join(os.tmpdir(), 'meterline-aof-'));
  const dir = join(data, 'appendonlydir');
  mkdirSync(dir);
  try {
    const incr = join(dir, 'appendonly.aof.1.incr.aof');
    const base = join(dir, 'appendonly.aof.1.base.rdb');
    writeFileSync(base, 'BASE');
    writeFileSync(incr, '*1\r\n$4\r\nPING\r\n'); // 14 bytes
    const t = new AofTracker(data);
    t.sample(1_000);
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'); // 4 + 4 + 5 + 4 + 3 + 4 + 3 = 27 bytes
    t.sample(2_000);
    appendFileSync(incr, '*3\r\n$3\r\nSET'); // 11 bytes: a command still being written
    writeFileSync(join(dir, 'appendonly.aof.2.incr.aof'), 'NEWFILE'); // 7 bytes, created after 2000
    // At 1500 the newest sample not after it is 1000's: 27 + 11 bytes of incr and the new file go.
    assert.equal(t.cutBack(1_500), 27 + 11 + 7);
    assert.equal(readFileSync(incr, 'utf8'), '*1\r\n$4\r\nPING\r\n');
    assert.equal(readFileSync(join(dir, 'appendonly.aof.2.incr.aof'), 'utf8'), '');
    assert.equal(readFileSync(base, 'utf8'), 'BASE');
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('cutBack without any sample refuses instead of guessing', () => {
  assert.throws(() => new AofTracker(os.tmpdir()).cutBack(0), /no AOF history/);
});

test('grewWithin tells whether a file grew in the last milliseconds', () => {
  const data = mkdtempSync(join(os.tmpdir(), 'meterline-aof-'));
  mkdirSync(join(data, 'appendonlydir'));
  try {
    const incr = join(data, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    writeFileSync(incr, 'a');
    const t = new AofTracker(data);
    t.sample(1_000);
    t.sample(2_000);
    assert.equal(t.grewWithin(1_000, 2_000), false); // same size at 1000 and 2000
    appendFileSync(incr, 'b');
    t.sample(3_000);
    assert.equal(t.grewWithin(1_000, 3_000), true); // 2000's size was 1, 3000's is 2
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
