// Installs the helm binary the chart checks need. helm has no Debian or npm package, so it is
// built from the Go module proxy once (`go install helm.sh/helm/v3/cmd/helm@VERSION`) into the
// meterline cache; every later run finds the binary there and starts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeterlineError } from '../lib/errors.js';

export const HELM_VERSION = 'v3.22.0';

export interface HelmInstallOptions {
  /** Cache root; default METERLINE_CACHE_DIR or `~/.cache/meterline`. */
  cacheDir?: string;
  version?: string;
  /** Progress lines (the first build compiles helm: minutes on two cores). */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The go command (default `go` on PATH). */
  go?: string;
}

/** `~` and `~/x` expand to the home directory; relative paths resolve against the cwd. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.METERLINE_CACHE_DIR?.trim();
  return expandHome(v !== undefined && v !== '' ? v : '~/.cache/meterline');
}

/** Where the binary of one helm version lives in the cache. */
export function helmPath(cacheDir: string, version = HELM_VERSION): string {
  return join(cacheDir, 'helm', version, 'helm');
}

/** A cached binary counts only if it runs and reports the version asked for (a build without
 * the release stamps reports a bare `v3.22` and is rebuilt). */
const works = (bin: string, version: string): boolean => {
  if (!existsSync(bin)) return false;
  const r = spawnSync(bin, ['version', '--short'], { encoding: 'utf8' });
  const v = r.stdout.trim();
  return r.status === 0 && (v === version || v.startsWith(`${version}+`));
};

/**
 * Returns the path of a working helm binary, building it first if the cache has none.
 * Concurrent callers (test files run two at a time) share one build through a lock directory.
 */
export async function ensureHelm(opts: HelmInstallOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const version = opts.version ?? HELM_VERSION;
  const cacheDir = opts.cacheDir ?? cacheRoot(env);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bin = helmPath(cacheDir, version);
  if (works(bin, version)) return bin;

  const lock = `${dirname(bin)}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  await acquire(lock, log);
  try {
    if (works(bin, version)) return bin; // another process finished the build while we waited
    await build(bin, version, cacheDir, env, log, opts.go ?? 'go');
    return bin;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** mkdir is atomic: whoever creates the directory holds the lock. A lock older than the longest
 * plausible build (30 min) was left by a killed process and is taken over. */
async function acquire(lock: string, log: (line: string) => void): Promise<void> {
  const staleMs = 30 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let age: number;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released between our mkdir and stat: try again at once
    }
    if (age > staleMs) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) log('helm: another process is building helm; waiting for it');
    told = true;
    // Another process's build has no event we can await across processes; poll the lock.
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function build(
  bin: string,
  version: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  go: string,
): Promise<void> {
  if (spawnSync(go, ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new MeterlineError(
      'config',
      `helm: \`${go}\` not found; install Go 1.24+ (helm ${version} is built with \`go install\`)`,
    );
  }
  // Build into a fresh folder and rename it into place, so a half-written binary is never seen.
  const staging = `${dirname(bin)}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const goEnv = {
    ...env,
    GOBIN: staging,
    // Module downloads live in the meterline cache too, so one `rm -rf` of it starts clean.
    GOMODCACHE: env.GOMODCACHE ?? join(cacheDir, 'go', 'mod'),
    GOFLAGS: '-mod=mod -buildvcs=false',
    CGO_ENABLED: '0',
  };
  const pkg = `helm.sh/helm/v3/cmd/helm@${version}`;
  const t0 = Date.now();
  log(`helm: downloading helm.sh/helm/v3@${version} and its modules…`);
  const ldflags = linkerFlags(version, kubeMinor(go, version, goEnv));
  log(`helm: building ${pkg} with \`go install\` (first run only; a few minutes on two cores)…`);
  const tick = setInterval(
    () => log(`helm: still building… ${Math.round((Date.now() - t0) / 1000)} s`),
    20_000,
  );
  let stderr = '';
  const code = await new Promise<number>((res, rej) => {
    const child = spawn(go, ['install', '-trimpath', `-ldflags=${ldflags}`, pkg], {
      env: goEnv,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // `go: downloading …` lines are the only progress go gives; pass them on.
      for (const line of d.toString().split('\n'))
        if (line.startsWith('go: downloading')) log(`helm: ${line.slice(4)}`);
    });
    child.on('error', rej);
    child.on('exit', (c, s) => res(c ?? (s ? 1 : 0)));
  }).finally(() => clearInterval(tick));
  if (code !== 0 || !existsSync(join(staging, 'helm'))) {
    rmSync(staging, { recursive: true, force: true });
    const tail = stderr.trim().split('\n').slice(-5).join(' | ');
    throw new MeterlineError('unavailable', `helm: go install ${pkg} failed (exit ${code}): ${tail}`);
  }
  rmSync(dirname(bin), { recursive: true, force: true });
  renameSync(staging, dirname(bin));
  log(`helm: ${version} installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The Kubernetes minor version helm's release build stamps in (its Makefile: client-go v0.N →
 * Kubernetes 1.N). Without it a `go install`ed helm assumes Kubernetes v1.20 in `template` and
 * `lint`, and refuses charts that need a newer cluster.
 */
function kubeMinor(go: string, version: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(go, ['mod', 'download', '-json', `helm.sh/helm/v3@${version}`], {
    env,
    encoding: 'utf8',
  });
  let goMod: string | undefined;
  try {
    goMod = (JSON.parse(r.stdout) as { GoMod?: string }).GoMod;
  } catch {
    goMod = undefined;
  }
  if (r.status !== 0 || goMod === undefined) {
    throw new MeterlineError(
      'unavailable',
      `helm: go mod download helm.sh/helm/v3@${version} failed: ${r.stderr.trim()}`,
    );
  }
  const m = /k8s\.io\/client-go v0\.(\d+)\./.exec(readFileSync(goMod, 'utf8'));
  if (m?.[1] === undefined)
    throw new MeterlineError('internal', `helm: no k8s.io/client-go version in ${goMod}`);
  return m[1];
}

/** The -X flags of helm's Makefile, so `helm version` and the default Kubernetes version match a release build. */
function linkerFlags(version: string, minor: string): string {
  const x = (name: string, value: string) => `-X helm.sh/helm/v3/${name}=${value}`;
  return [
    '-w -s',
    x('internal/version.version', version),
    x('pkg/lint/rules.k8sVersionMajor', '1'),
    x('pkg/lint/rules.k8sVersionMinor', minor),
    x('pkg/chartutil.k8sVersionMajor', '1'),
    x('pkg/chartutil.k8sVersionMinor', minor),
  ].join(' ');
}

// `npx tsx stack/helm.ts` installs helm and prints its path.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureHelm()
    .then((bin) => console.log(bin))
    .catch((err: unknown) => {
      console.error((err as Error).message);
      process.exit(1);
    });
}
