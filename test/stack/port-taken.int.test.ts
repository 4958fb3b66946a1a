// `stack up` with a port already taken by someone else fails at once, naming the service, the
// port and METERLINE_PORT_BASE, and starts nothing. Runs the real CLI against its own port base
// and stack dir so the shared local stack is not touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { stackPorts } from '../../config/variables.js';
import { portFree } from '../../stack/net.js';

const root = join(import.meta.dirname, '..', '..');
const stackDir = mkdtempSync(join(os.tmpdir(), 'meterline-port-test-'));
after(() => rmSync(stackDir, { recursive: true, force: true }));

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'meterline.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port base whose five ports are all free right now. */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // Below the ephemeral range (32768+): a client socket may hold any port above it.
    const base = 26_000 + 250 * Math.floor(Math.random() * 24);
    const free = await Promise.all(Object.values(stackPorts(base)).map(portFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port base found');
}

test('stack up with the Redis port taken fails naming redis, the port and METERLINE_PORT_BASE, and starts nothing', async () => {
  const base = await freeBase();
  const ports = stackPorts(base);
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(ports.redis, '127.0.0.1', r));
  try {
    const env = { METERLINE_PORT_BASE: String(base), METERLINE_STACK_DIR: stackDir };
    const r = await cli(['stack', 'up'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`redis: port ${ports.redis} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(r.stderr, new RegExp(`METERLINE_PORT_BASE \\(now ${base};`));
    assert.equal(r.stdout, ''); // no env lines: the stack is not up
    // Nothing was started: no pid file, and the other services' ports are still free.
    const run = join(stackDir, 'run');
    assert.deepEqual(existsSync(run) ? readdirSync(run) : [], []);
    for (const port of [ports.kafka, ports.kafkaController, ports.postgres, ports.schemaRegistry]) {
      assert.equal(await portFree(port), true, `port ${port} is in use`);
    }
    const status = await cli(['stack', 'status'], env);
    assert.equal(status.code, 1); // nothing runs there
    assert.match(status.stdout, /redis\s+stopped/);
  } finally {
    await new Promise((r) => squatter.close(r));
  }
});
