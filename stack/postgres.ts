// PostgreSQL 17 with TimescaleDB from Debian trixie, in a root built once by mmdebstrap (shared
// in the cache) and run through chroot. Each stack dir gets its own data folder inside the root,
// named by a hash of the stack dir, so two checkouts never share a database. A user who is not
// root runs the same root's binaries without chroot (postgres-rootless.ts).
import {
  accessSync,
  constants,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  lstatSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureCommand, runLogged } from './exec.js';
import { prepareRootless, rootlessLaunch } from './postgres-rootless.js';
import { isRoot, unshareBlockers, unshareFacts } from './rootless.js';
import type { StackSettings } from './paths.js';
import type { Service, ServiceContext } from './service.js';

const SUITE = 'trixie';
const MIRROR = 'http://deb.debian.org/debian';
const PG_MAJOR = '17';
const PG_BIN = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
/** Marks a finished root: an interrupted build never has it. */
const COMPLETE = '.meterline-complete';
/** The Schema Registry's own database (its tables are its business, not meterline's). */
export const REGISTRY_DATABASE = 'schema_registry';

/** The chroot, shared by every checkout that uses the same cache. */
export const rootDir = (s: StackSettings) => join(s.paths.cacheDir, 'timescaledb', `${SUITE}-pg${PG_MAJOR}`);
/** This stack's folder as seen inside the chroot, and from the host. */
const innerHome = (s: StackSettings) => `/var/lib/meterline/${s.paths.id}`;
/** This stack's PostgreSQL folder (data/ inside) as the host sees it. */
export const postgresHome = (s: StackSettings) => join(rootDir(s), innerHome(s));
const innerData = (s: StackSettings) => `${innerHome(s)}/data`;

interface Ids {
  uid: number;
  gid: number;
}

/** The postgres user of the chroot (its ids may differ from any user of the host). */
function postgresIds(root: string): Ids {
  const line = readFileSync(join(root, 'etc', 'passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error(
      `no postgres user in ${root}/etc/passwd: the root is incomplete; delete it and run again`,
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const asPostgres = (root: string, ids: Ids, command: string, args: string[]) => ({
  command: 'chroot',
  args: [`--userspec=${ids.uid}:${ids.gid}`, root, command, ...args],
  env: {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: '/var/lib/postgresql',
  },
});

/** A root built by another user (root) must be readable and its loader runnable by this one. */
function checkReadable(root: string): void {
  for (const file of ['lib64/ld-linux-x86-64.so.2', `usr/lib/postgresql/${PG_MAJOR}/bin/postgres`]) {
    try {
      accessSync(join(root, file), constants.R_OK | constants.X_OK);
    } catch {
      throw new Error(
        `the TimescaleDB root ${root} is not readable by this user (${file}); make the cache readable (chmod -R a+rX) or point METERLINE_CACHE_DIR at a readable copy`,
      );
    }
  }
}

// PostgreSQL and (without root, when the host has none) Redis both need the root: one build.
const builds = new Map<string, Promise<void>>();

/** Builds the shared Debian root unless it is complete; concurrent callers share one build. */
export function ensureRoot(ctx: ServiceContext): Promise<void> {
  const root = rootDir(ctx.settings);
  const build = builds.get(root) ?? buildRoot(ctx);
  builds.set(root, build);
  return build.finally(() => builds.delete(root));
}

export const rootComplete = (s: StackSettings) => existsSync(join(rootDir(s), COMPLETE));

/** Without root: the root must be there and readable, or buildable in unshare mode. */
export function checkRootUsable(s: StackSettings): void {
  const root = rootDir(s);
  if (isRoot()) return;
  if (rootComplete(s)) return checkReadable(root);
  const blockers = unshareBlockers(unshareFacts());
  if (blockers.length > 0)
    throw new Error(
      `no TimescaleDB root in ${root}, and building one without root needs: ${blockers.join('; ')} — or run 'meterline stack up' once as root with the same METERLINE_CACHE_DIR, or set DATABASE_URL to an existing TimescaleDB`,
    );
}

async function buildRoot(ctx: ServiceContext): Promise<void> {
  const root = rootDir(ctx.settings);
  checkRootUsable(ctx.settings);
  if (rootComplete(ctx.settings)) return;
  if (isRoot()) await ensureCommand('mmdebstrap', 'mmdebstrap', ctx.logFile, ctx.note);
  ctx.note(
    `building the TimescaleDB root with mmdebstrap (Debian ${SUITE}${isRoot() ? '' : ', unshare mode'}; first run only, about a minute)…`,
  );
  const tmp = `${root}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(root, '..'), { recursive: true });
  await runLogged(
    'mmdebstrap',
    [
      '--quiet',
      // Without root: a user namespace maps the build's root to this user's subuid range, so
      // the tree belongs to that range and only a hook inside the namespace can write into it.
      ...(isRoot() ? [] : ['--mode=unshare', `--customize-hook=touch "$1/${COMPLETE}"`]),
      '--variant=apt',
      // Without root apt cannot install Redis on the host, so the root carries one (root's
      // list stays as it was: changing it would rebuild the root that holds root's databases).
      `--include=postgresql-${PG_MAJOR}-timescaledb${isRoot() ? '' : ',redis-server'}`,
      SUITE,
      tmp,
      `deb ${MIRROR} ${SUITE} main`,
    ],
    { what: 'building the TimescaleDB root', logFile: ctx.logFile },
  );
  if (isRoot()) writeFileSync(join(tmp, COMPLETE), '');
  rmSync(root, { recursive: true, force: true });
  renameSync(tmp, root); // only a complete root ever has the final name
}

async function initData(ctx: ServiceContext): Promise<void> {
  const s = ctx.settings;
  const root = rootDir(s);
  const ids = postgresIds(root);
  const home = postgresHome(s);
  mkdirSync(home, { recursive: true });
  chownSync(home, ids.uid, ids.gid);
  // Socket folder inside the root (postgres creates its lock file there).
  mkdirSync(join(root, 'run', 'postgresql'), { recursive: true });
  chownSync(join(root, 'run', 'postgresql'), ids.uid, ids.gid);
  // A pointer from the checkout to its data, for people looking for it.
  const link = join(s.paths.data, 'postgres');
  if (!existsSync(link)) {
    try {
      lstatSync(link);
      rmSync(link, { force: true }); // dangling link
    } catch {
      /* absent */
    }
    symlinkSync(home, link);
  }
  if (existsSync(join(home, 'data', 'PG_VERSION'))) return;
  ctx.note('initialising the database cluster…');
  for (const name of readdirSync(home))
    if (name.startsWith('data.tmp')) rmSync(join(home, name), { recursive: true, force: true });
  const tmpInner = `${innerData(s)}.tmp`;
  const init = asPostgres(root, ids, `${PG_BIN}/initdb`, [
    '-D',
    tmpInner,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  await runLogged(init.command, init.args, { what: 'initdb', logFile: ctx.logFile, env: init.env });
  renameSync(join(home, 'data.tmp'), join(home, 'data'));
}

export const postgres: Service = {
  name: 'postgres',
  ports: (s) => [s.ports.postgres],
  readyTimeoutMs: 60_000,
  stopSignal: 'SIGINT', // "fast" shutdown: SIGTERM would wait for every client to leave
  stopGraceMs: 30_000,

  preflight: checkRootUsable,

  async prepare(ctx) {
    await ensureRoot(ctx);
    if (isRoot()) await initData(ctx);
    else await prepareRootless(ctx, rootDir(ctx.settings));
  },

  async launch(ctx) {
    const s = ctx.settings;
    const root = rootDir(s);
    const settings = [
      '-p',
      String(s.ports.postgres),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'shared_preload_libraries=timescaledb',
      '-c',
      'timescaledb.telemetry_level=off',
      '-c',
      'max_connections=200',
    ];
    if (!isRoot()) return rootlessLaunch(s, settings);
    const l = asPostgres(root, postgresIds(root), `${PG_BIN}/postgres`, [
      '-D',
      innerData(s),
      '-c',
      'unix_socket_directories=/run/postgresql',
      ...settings,
    ]);
    // chroot execs postgres, so the pid we record is the postmaster's.
    return { ...l, cwd: s.paths.stackDir };
  },

  async probe(s) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({
      host: '127.0.0.1',
      port: s.ports.postgres,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 2000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async afterReady(ctx) {
    const s = ctx.settings;
    const pg = (await import('pg')).default;
    const admin = new pg.Client({
      host: '127.0.0.1',
      port: s.ports.postgres,
      user: 'postgres',
      database: 'postgres',
    });
    await admin.connect();
    try {
      for (const name of ['meterline', REGISTRY_DATABASE]) {
        const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
        // 42P04 duplicate_database: a concurrent `up` created it first.
        if (rowCount === 0) {
          await admin.query(`create database ${name}`).catch((err: { code?: string }) => {
            if (err.code !== '42P04') throw err;
          });
        }
      }
    } finally {
      await admin.end();
    }
    const db = new pg.Client({
      host: '127.0.0.1',
      port: s.ports.postgres,
      user: 'postgres',
      database: 'meterline',
    });
    await db.connect();
    try {
      await db.query('create extension if not exists timescaledb');
    } finally {
      await db.end();
    }
  },

  env: (s) => ({ DATABASE_URL: `postgres://postgres@127.0.0.1:${s.ports.postgres}/meterline` }),
};
