// The orchestration of `stack up`/`down` with stand-in services (tiny processes), so it runs
// without Kafka or PostgreSQL: a second `up` reuses what runs, a process dying during start-up
// is reported with its service name, log file and last lines, a stranger on a port stops
// everything before anything starts, and `down` stops what `up` started.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { stackPorts } from '../../config/variables.js';
import { stackPaths, type StackSettings } from '../../stack/paths.js';
import { down, up, type Output } from '../../stack/stack.js';
import { processStartTime } from '../../stack/process.js';
import { tcpAnswers } from '../../stack/net.js';
import type { Service } from '../../stack/service.js';
import { freePort } from './free-port.js';

const dir = mkdtempSync(join(os.tmpdir(), 'meterline-up-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const settings = (name: string): StackSettings => ({
  paths: stackPaths({ METERLINE_STACK_DIR: join(dir, name) }),
  ports: stackPorts(40_000),
  portBase: 40_000,
  schemaRegistry: false,
});

function recorder(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, progress: (l) => lines.push(l), result: (l) => lines.push(l) };
}

/** A service that listens on `port` until SIGTERM. */
const listener = (name: string, port: number): Service => ({
  name,
  ports: () => [port],
  prepare: async () => undefined,
  launch: async () => ({
    command: process.execPath,
    args: ['-e', `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1')`],
    cwd: dir,
  }),
  probe: () => tcpAnswers(port),
  env: () => ({ [`${name.toUpperCase()}_URL`]: `tcp://127.0.0.1:${port}` }),
  readyTimeoutMs: 20_000,
  stopSignal: 'SIGTERM',
  stopGraceMs: 5_000,
});

test('up starts, a second up reuses the running process, down stops it', async () => {
  const s = settings('reuse');
  const port = await freePort();
  const svc = listener('echo', port);
  const first = recorder();
  await up(s, first, [svc]);
  assert.ok(first.lines.includes(`export ECHO_URL=tcp://127.0.0.1:${port}`));
  assert.match(
    readFileSync(join(s.paths.stackDir, 'env'), 'utf8'),
    new RegExp(`^export ECHO_URL=tcp://127\\.0\\.0\\.1:${port}$`, 'm'),
  );
  const pid = Number(readFileSync(join(s.paths.run, 'echo.pid'), 'utf8').split(' ')[0]);
  assert.ok(processStartTime(pid) !== undefined);

  const second = recorder();
  await up(s, second, [svc]);
  assert.ok(second.lines.includes(`echo: already running (pid ${pid})`), second.lines.join('\n'));

  const stopping = recorder();
  await down(s, stopping, [svc]);
  assert.deepEqual(stopping.lines, [`echo: stopping (pid ${pid})…`, 'echo: stopped', 'stack: down']);
  assert.equal(processStartTime(pid), undefined);
});

test('a service whose process exits during start-up is reported with its log file and last lines', async () => {
  const s = settings('crash');
  const crasher: Service = {
    ...listener('crasher', await freePort()),
    launch: async () => ({
      command: 'sh',
      args: ['-c', 'echo "fatal: bad config line 3" >&2; exit 3'],
      cwd: dir,
    }),
    probe: async () => false,
  };
  await assert.rejects(up(s, recorder(), [crasher]), (err: Error) => {
    assert.match(err.message, /^crasher: the process exited during start-up; see .*logs\/crasher\.log:\n/);
    assert.match(err.message, /fatal: bad config line 3/);
    return true;
  });
});

test('a port held by another program stops up before any service starts', async () => {
  const s = settings('taken');
  const freeOne = listener('first', await freePort());
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
  const takenPort = (squatter.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      up(s, recorder(), [freeOne, listener('second', takenPort)]),
      new RegExp(
        `^MeterlineError: second: port ${takenPort} on 127\\.0\\.0\\.1 is already in use by another program`,
      ),
    );
    assert.equal(await tcpAnswers(freeOne.ports(s)[0] ?? 0), false); // `first` was not started
  } finally {
    await new Promise((r) => squatter.close(r));
  }
});

test('two ups at once start the service once; down --purge deletes the data', async () => {
  const s = settings('race');
  const svc = listener('raced', await freePort());
  const [a, b] = [recorder(), recorder()];
  await Promise.all([up(s, a, [svc]), up(s, b, [svc])]);
  const started = [...a.lines, ...b.lines].filter((l) => /^raced: started/.test(l));
  const reused = [...a.lines, ...b.lines].filter((l) => /^raced: already running/.test(l));
  assert.equal(started.length, 1);
  assert.equal(reused.length, 1);
  assert.ok(existsSync(join(s.paths.stackDir, 'env')));
  await down(s, recorder(), [svc], { purge: true });
  assert.equal(existsSync(s.paths.data), false);
  assert.equal(existsSync(join(s.paths.stackDir, 'env')), false);
});
