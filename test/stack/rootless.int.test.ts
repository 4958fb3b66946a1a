// `meterline stack up | status | down` as a user who is not root (issue 15 item 4). Run as root
// (as in CI) it creates the system user meterline-test and acts as that user through runuser;
// run as anyone else it acts as that user. The user gets its own stack dir, port base and a
// cache holding hard-linked copies of the already built TimescaleDB root and Kafka jars (the
// real cache may sit in a home folder others cannot enter). The Schema Registry is left out: it
// is plain Java like Kafka and would only add a minute of start-up on a loaded machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { stackPaths, stackSettings } from '../../stack/paths.js';
import { rootDir } from '../../stack/postgres.js';
import { portFree, redisCommand } from '../../stack/net.js';
import { stackPorts } from '../../config/variables.js';

const checkout = join(import.meta.dirname, '..', '..');
const USER = 'meterline-test';
const asRoot = process.getuid?.() === 0;

function ensureUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Hard links where possible (same file system, instant), a copy otherwise. */
function linkTree(from: string, to: string, skip: (name: string) => boolean = () => false): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (skip(name)) continue;
    try {
      execFileSync('cp', ['-al', join(from, name), to], { stdio: 'ignore' });
    } catch {
      cpSync(join(from, name), join(to, name), { recursive: true, verbatimSymlinks: true });
    }
  }
}

/** A port base whose every port is free now (several runs of this test may overlap). */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 90);
    const ports = Object.values(stackPorts(base));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function meterline(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const node = [process.execPath, join(checkout, 'bin', 'meterline.js'), ...args];
  const [cmd, ...rest] = asRoot
    ? ['runuser', '-u', USER, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...node]
    : node;
  const child = spawn(cmd ?? '', rest, {
    cwd: env.HOME,
    env: asRoot ? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const ownerUid = (pidFile: string): number => {
  const pid = readFileSync(pidFile, 'utf8').trim().split(/\s+/)[0] ?? '';
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
};

test('stack up, status and down as a user who is not root', { timeout: 170_000 }, async (t) => {
  const ids = asRoot ? ensureUser() : { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
  const base = mkdtempSync(join(os.tmpdir(), 'meterline-rootless-'));
  chmodSync(base, 0o755);
  const real = stackSettings();
  // The shared root without its per-checkout data folders (var/lib/meterline belongs to root).
  const ours = stackPaths({ METERLINE_CACHE_DIR: join(base, 'cache') });
  const tsRoot = rootDir({ ...real, paths: ours });
  linkTree(rootDir(real), tsRoot, (n) => n === 'var');
  linkTree(join(real.paths.cacheDir, 'kafka'), join(ours.cacheDir, 'kafka'));
  for (const d of ['stack', 'home', 'cache']) mkdirSync(join(base, d), { recursive: true });
  for (const d of ['stack', 'home', 'cache', 'cache/kafka']) chownSync(join(base, d), ids.uid, ids.gid);
  const portBase = await freeBase();
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin', // the system's programs only, as a fresh login has
    HOME: join(base, 'home'),
    METERLINE_STACK_DIR: join(base, 'stack'),
    METERLINE_CACHE_DIR: join(base, 'cache'),
    METERLINE_PORT_BASE: String(portBase),
    METERLINE_SCHEMA_REGISTRY: 'false',
  };
  t.after(async () => {
    await meterline(env, 'stack', 'down'); // stops only what this test's `up` started
    rmSync(base, { recursive: true, force: true });
  });

  const upRun = await meterline(env, 'stack', 'up');
  assert.equal(upRun.code, 0, `stack up failed:\n${upRun.stderr}`);
  const p = stackPorts(portBase);
  assert.match(
    upRun.stdout,
    new RegExp(`DATABASE_URL=postgres://postgres@127\\.0\\.0\\.1:${p.postgres}/meterline`),
  );

  // Each service runs as the unprivileged user, not as root.
  for (const svc of ['postgres', 'redis', 'kafka'])
    assert.equal(ownerUid(join(base, 'stack', 'run', `${svc}.pid`)), ids.uid, `${svc} runs as ${USER}`);

  const db = new pg.Client({ host: '127.0.0.1', port: p.postgres, user: 'postgres', database: 'meterline' });
  await db.connect();
  try {
    const ext = await db.query<{ extversion: string }>(
      "select extversion from pg_extension where extname = 'timescaledb'",
    );
    assert.equal(ext.rowCount, 1, 'timescaledb is installed in the meterline database');
    // A hypertable and time_bucket prove the extension's library loaded, not only its catalogue row.
    await db.query('create table t (at timestamptz not null, v int)');
    await db.query("select create_hypertable('t', 'at')");
    await db.query(
      "insert into t values ('2026-01-01T00:10Z', 2), ('2026-01-01T00:50Z', 3), ('2026-01-01T01:05Z', 7)",
    );
    const buckets = await db.query<{ b: Date; s: string }>(
      "select time_bucket('1 hour', at) as b, sum(v)::text as s from t group by b order by b",
    );
    // By hand: 00:10 and 00:50 fall in the 00:00 hour (2+3), 01:05 in the 01:00 hour (7).
    assert.deepEqual(
      buckets.rows.map((r) => [r.b.toISOString(), r.s]),
      [
        ['2026-01-01T00:00:00.000Z', '5'],
        ['2026-01-01T01:00:00.000Z', '7'],
      ],
    );
    const dir = await db.query<{ d: string }>("select current_setting('data_directory') as d");
    assert.ok(dir.rows[0]?.d.startsWith(join(base, 'stack')), 'the data lives in the stack dir');
  } finally {
    await db.end();
  }

  assert.equal(await redisCommand(p.redis, 'PING'), '+PONG');

  const kafka = new Kafka({ brokers: [`127.0.0.1:${p.kafka}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    assert.deepEqual(
      cluster.brokers.map((b) => b.port),
      [p.kafka],
    );
  } finally {
    await admin.disconnect();
  }

  const statusRun = await meterline(env, 'stack', 'status');
  assert.equal(statusRun.code, 0, `stack status:\n${statusRun.stdout}${statusRun.stderr}`);
  for (const svc of ['kafka', 'postgres', 'redis'])
    assert.match(statusRun.stdout, new RegExp(`^${svc}\\s+running`, 'm'));

  const downRun = await meterline(env, 'stack', 'down');
  assert.equal(downRun.code, 0, `stack down failed:\n${downRun.stderr}`);
  for (const port of [p.kafka, p.postgres, p.redis])
    assert.ok(await portFree(port), `port ${port} is free after down`);
});

test(
  'without a usable cache or Debian root, up stops at once naming what is missing, and starts nothing',
  { timeout: 60_000 },
  async (t) => {
    const ids = asRoot ? ensureUser() : { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
    const base = mkdtempSync(join(os.tmpdir(), 'meterline-rootless-'));
    t.after(() => rmSync(base, { recursive: true, force: true }));
    chmodSync(base, 0o755);
    for (const d of ['stack', 'home', 'cache', 'locked']) mkdirSync(join(base, d));
    for (const d of ['stack', 'home', 'cache']) chownSync(join(base, d), ids.uid, ids.gid);
    chmodSync(join(base, 'locked'), 0o000);
    const env = {
      PATH: join(base, 'no-programs'), // neither mmdebstrap, newuidmap nor redis-server
      HOME: join(base, 'home'),
      METERLINE_STACK_DIR: join(base, 'stack'),
      METERLINE_CACHE_DIR: join(base, 'locked', 'cache'),
      METERLINE_PORT_BASE: String(await freeBase()),
      METERLINE_SCHEMA_REGISTRY: 'false',
    };
    const locked = await meterline(env, 'stack', 'up');
    assert.notEqual(locked.code, 0);
    assert.match(locked.stderr, /cannot read the cache .*locked\/cache; set METERLINE_CACHE_DIR/);

    const empty = await meterline({ ...env, METERLINE_CACHE_DIR: join(base, 'cache') }, 'stack', 'up');
    assert.notEqual(empty.code, 0);
    assert.match(
      empty.stderr,
      /postgres: no TimescaleDB root in .*, and building one without root needs: mmdebstrap is not installed \(apt-get install mmdebstrap\); newuidmap is not installed \(apt-get install uidmap\)/,
    );
    assert.match(empty.stderr, /redis: redis-server is not installed/);
    assert.deepEqual(
      readdirSync(join(base, 'stack', 'run')).filter((f) => f.endsWith('.pid')),
      [],
      'nothing was started',
    );
  },
);
