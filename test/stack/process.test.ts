// Pid files of the stack: a live process of ours is recognised, a recycled pid is not, and
// stopping escalates from the graceful signal to SIGKILL only when the grace time runs out.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../stack/net.js';
import { ourLivePid, processStartTime, spawnDetached, stopByPidFile } from '../../stack/process.js';

const dir = mkdtempSync(join(os.tmpdir(), 'meterline-process-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a detached process is recorded, recognised and stopped gracefully', async () => {
  const pidFile = join(dir, 'sleeper.pid');
  const logFile = join(dir, 'sleeper.log');
  const pid = spawnDetached({
    command: 'sh',
    args: ['-c', 'echo started; exec sleep 60'],
    cwd: dir,
    logFile,
    pidFile,
  });
  assert.equal(readFileSync(pidFile, 'utf8').trim(), `${pid} ${processStartTime(pid)}`);
  assert.equal(ourLivePid(pidFile), pid);
  // Its output lands in the log file.
  await waitUntil(async () => readFileSync(logFile, 'utf8').includes('started'), {
    what: 'the log line',
    timeoutMs: 10_000,
    intervalMs: 10,
  });
  assert.equal(await stopByPidFile(pidFile, 'SIGTERM', 10_000), 'stopped');
  assert.equal(processStartTime(pid), undefined);
  assert.equal(existsSync(pidFile), false);
});

test('a pid file whose pid now belongs to another process (other start time) is not ours', async () => {
  const pidFile = join(dir, 'recycled.pid');
  // This very test process, with a start time it never had: must not be treated as ours.
  writeFileSync(pidFile, `${process.pid} 1\n`);
  assert.equal(ourLivePid(pidFile), undefined);
  assert.equal(await stopByPidFile(pidFile, 'SIGTERM', 100), undefined); // and must not signal it
  assert.equal(existsSync(pidFile), false);
});

test('a process ignoring the graceful signal is killed after the grace time', async () => {
  const pidFile = join(dir, 'stubborn.pid');
  // The shell loops, and traps TERM to do nothing; only SIGKILL ends it.
  const pid = spawnDetached({
    command: 'sh',
    args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'],
    cwd: dir,
    logFile: join(dir, 'stubborn.log'),
    pidFile,
  });
  // Signalling before the trap is set would end it at once: wait for the shell to say so.
  await waitUntil(async () => readFileSync(join(dir, 'stubborn.log'), 'utf8').includes('ready'), {
    what: 'the trap',
    timeoutMs: 10_000,
    intervalMs: 10,
  });
  assert.equal(await stopByPidFile(pidFile, 'SIGTERM', 300), 'killed');
  assert.equal(processStartTime(pid), undefined);
});

test('a pid file naming no process is removed and reported as nothing to stop', async () => {
  const pidFile = join(dir, 'gone.pid');
  writeFileSync(pidFile, '999999999 12345\n');
  assert.equal(ourLivePid(pidFile), undefined);
  assert.equal(await stopByPidFile(pidFile, 'SIGTERM', 100), undefined);
  assert.equal(existsSync(pidFile), false);
});
