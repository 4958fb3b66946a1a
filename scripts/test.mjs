#!/usr/bin/env node
// `npm test`: installs what is missing, brings the local stack up (unless external services
// are configured, or it is already running), runs every test file with node's test runner,
// and stops what it started. `--unit` runs only the tests that need no services (*.test.ts
// that are not *.int.test.ts) and starts nothing.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('test: installing dependencies (npm ci)…');
  if (sh('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

let files = findTests(join(root, 'test'));
if (unitOnly) files = files.filter((f) => !f.endsWith('.int.test.ts'));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
const needsStack = files.some((f) => f.endsWith('.int.test.ts'));

const external = Boolean(process.env.KAFKA_BROKERS && process.env.DATABASE_URL && process.env.REDIS_URL);
const meterline = (args, opts) => sh(process.execPath, [join(root, 'bin', 'meterline.js'), ...args], opts);
let startedStack = false;
const env = { ...process.env, METERLINE_LOG_LEVEL: process.env.METERLINE_LOG_LEVEL ?? 'warn' };

if (needsStack && !external) {
  const running = meterline(['stack', 'status', '--quiet'], { stdio: 'ignore' }) === 0;
  if (!running) {
    console.log('test: starting the local stack (meterline stack up)…');
    const t0 = Date.now();
    if (meterline(['stack', 'up']) !== 0) {
      console.error('test: the local stack did not come up; see the message above');
      meterline(['stack', 'down']);
      process.exit(1);
    }
    startedStack = true;
    console.log(`test: stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    console.log('test: reusing the running local stack');
  }
  const envFile = join(resolve(root, process.env.METERLINE_STACK_DIR ?? '.stack'), 'env');
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m && env[m[1]] === undefined) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
}

const concurrency = Math.max(1, Math.min(2, os.availableParallelism()));
console.log(`test: ${files.length} test files${needsStack ? ' (with the stack)' : ''}`);
const child = spawn(
  process.execPath,
  // --test-force-exit: a file whose tests have all ended exits even if a client it opened still
  // holds a socket (a hung clean-up must not hold CI until its limit); --test-timeout: no single
  // test may wait forever (tests that need longer set their own timeout).
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-timeout=900000', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
const stop = (sig) => child.kill(sig);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));

if (startedStack) {
  console.log('test: stopping the stack this run started');
  meterline(['stack', 'down']);
}
process.exit(code);
