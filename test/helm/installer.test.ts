// The helm installer (stack/helm.ts): where the cache is, that a cached binary of the right
// version is reused without Go, and that a wrong one is rebuilt (here: fails for want of Go,
// with a message that says so). Fake binaries are small shell scripts; no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HELM_VERSION, cacheRoot, ensureHelm, expandHome, helmPath } from '../../stack/helm.js';

const NO_GO = join(tmpdir(), 'meterline-no-such-go');
const quiet = () => undefined;

function fakeHelm(cacheDir: string, prints: string): string {
  const bin = helmPath(cacheDir);
  mkdirSync(dirname(bin), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\necho '${prints}'\n`);
  chmodSync(bin, 0o755);
  return bin;
}

test('the cache is METERLINE_CACHE_DIR with ~ expanded, else ~/.cache/meterline', () => {
  assert.equal(cacheRoot({}), join(homedir(), '.cache', 'meterline'));
  assert.equal(cacheRoot({ METERLINE_CACHE_DIR: '  ' }), join(homedir(), '.cache', 'meterline'));
  assert.equal(cacheRoot({ METERLINE_CACHE_DIR: '~/ml-cache' }), join(homedir(), 'ml-cache'));
  assert.equal(cacheRoot({ METERLINE_CACHE_DIR: '/var/cache/ml' }), '/var/cache/ml');
  assert.equal(expandHome('~'), homedir());
  assert.equal(helmPath('/c'), `/c/helm/${HELM_VERSION}/helm`);
});

test('a cached binary reporting the wanted version is used as is: Go is never called', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ml-helm-'));
  try {
    const bin = fakeHelm(dir, `${HELM_VERSION}+gabc1234`);
    assert.equal(await ensureHelm({ cacheDir: dir, go: NO_GO, log: quiet }), bin);
    fakeHelm(dir, HELM_VERSION);
    assert.equal(await ensureHelm({ cacheDir: dir, go: NO_GO, log: quiet }), bin);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cached binary without the release stamp is rebuilt; without Go that fails, saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ml-helm-'));
  try {
    // What a plain `go install` without the Makefile's -X flags reports.
    fakeHelm(dir, 'v3.22');
    await assert.rejects(ensureHelm({ cacheDir: dir, go: NO_GO, log: quiet }), (err: Error) => {
      assert.match(err.message, /not found; install Go/);
      assert.match(err.message, new RegExp(HELM_VERSION.replace(/\./g, '\\.')));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
