// PostgreSQL from the Debian root without chroot, for users who are not root: the root's own
// dynamic loader runs its binaries against its libraries (the host's glibc may be older than
// the root's). PostgreSQL finds share/ and lib/ (timescaledb.control, timescaledb.so) relative to
// the path it was started as, and initdb runs `postgres` from its own folder with the host's
// loader; so each stack gets a small tree of wrapper scripts at .../usr/lib/postgresql/17/bin
// whose neighbours are links into the root. The data lives in the stack dir (the root is
// read-only to such a user) and there is no Unix socket (the root's /run is not writable).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runLogged } from './exec.js';
import { viaLoader } from './rootless.js';
import type { StackSettings } from './paths.js';
import type { Launch, ServiceContext } from './service.js';

const PG_MAJOR = '17';

/** This stack's PostgreSQL folder: `data/` and the wrapper tree `pg/`. */
export const rootlessHome = (s: StackSettings) => join(s.paths.data, 'postgres');
const dataDir = (s: StackSettings) => join(rootlessHome(s), 'data');
const tree = (s: StackSettings) => join(rootlessHome(s), 'pg');
const binDir = (s: StackSettings) => join(tree(s), 'usr', 'lib', 'postgresql', PG_MAJOR, 'bin');
const wrapper = (s: StackSettings, program: string) => join(binDir(s), program);

const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/** The locale is one glibc has built in, so the root needs no generated locales. */
export const ROOTLESS_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
};

function writeWrappers(s: StackSettings, root: string): void {
  const t = tree(s);
  mkdirSync(binDir(s), { recursive: true });
  const links: [string, string][] = [
    [
      join(t, 'usr', 'lib', 'postgresql', PG_MAJOR, 'lib'),
      join(root, 'usr', 'lib', 'postgresql', PG_MAJOR, 'lib'),
    ],
    [join(t, 'usr', 'share', 'postgresql', PG_MAJOR), join(root, 'usr', 'share', 'postgresql', PG_MAJOR)],
  ];
  for (const [link, target] of links) {
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true }); // the root may have moved with METERLINE_CACHE_DIR
    symlinkSync(target, link);
  }
  for (const program of ['postgres', 'initdb']) {
    // --argv0 "$0": PostgreSQL takes its own location from argv[0], which must be this script.
    const run = viaLoader(root, `usr/lib/postgresql/${PG_MAJOR}/bin/${program}`, [], '$0');
    const line = [run.command, ...run.args].map((a) => (a === '$0' ? '"$0"' : quote(a))).join(' ');
    const script = `#!/bin/sh\n# Written by meterline stack up: runs the Debian root's ${program} without chroot.\nexec ${line} "$@"\n`;
    writeFileSync(wrapper(s, program), script, { mode: 0o755 });
  }
}

export async function prepareRootless(ctx: ServiceContext, root: string): Promise<void> {
  const s = ctx.settings;
  writeWrappers(s, root);
  if (existsSync(join(dataDir(s), 'PG_VERSION'))) return;
  ctx.note('initialising the database cluster (without root)…');
  const home = rootlessHome(s);
  for (const name of readdirSync(home))
    if (name.startsWith('data.tmp')) rmSync(join(home, name), { recursive: true, force: true });
  const tmp = `${dataDir(s)}.tmp`;
  await runLogged(
    wrapper(s, 'initdb'),
    ['-D', tmp, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
    { what: 'initdb', logFile: ctx.logFile, env: ROOTLESS_ENV },
  );
  renameSync(tmp, dataDir(s));
}

/** The postmaster itself (the wrapper execs it), so the recorded pid is the one to signal. */
export const rootlessLaunch = (s: StackSettings, settings: string[]): Launch => ({
  command: wrapper(s, 'postgres'),
  args: ['-D', dataDir(s), '-c', 'unix_socket_directories=', ...settings],
  env: ROOTLESS_ENV,
  cwd: s.paths.stackDir,
});
