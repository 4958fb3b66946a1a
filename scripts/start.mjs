#!/usr/bin/env node
// `npm start`: installs dependencies if they are missing (a fresh clone), then runs
// `meterline start` (local stack unless services are configured, migrate, all roles).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.error('start: installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const child = spawn(process.execPath, [join(root, 'bin', 'meterline.js'), 'start', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Pass SIGINT/SIGTERM on (a supervisor may signal only us) and wait for the roles to drain.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
