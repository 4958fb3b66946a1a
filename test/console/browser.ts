// A real Chromium for the console tests: Debian's package (installed with apt-get when it is
// missing, as the stack installs its services), driven by playwright-core. Every page request
// is recorded and anything not on loopback is aborted, so a test can assert nothing left it.
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = ['chromium', 'chromium-browser'];

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The Chromium binary, installed from Debian if needed (root, like CI on a clean machine). */
export function chromiumPath(): string {
  const found = CANDIDATES.map(which).find(Boolean);
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error('console tests need Chromium, which is missing; install it with: sudo apt-get install -y chromium');
  // Console test files run in parallel and each may find Chromium missing on a clean machine:
  // dpkg takes one lock, so apt-get waits for it (DPkg::Lock::Timeout) instead of failing, and a
  // failed call looks again, since another file may have just installed it.
  const apt = (args: string[]) =>
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=900', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  const present = () => CANDIDATES.map(which).find(Boolean) !== undefined;
  // A clean machine has no package lists yet: update, then install again. Three rounds, as
  // another file's update may hold the lists' lock (which apt does not wait for) meanwhile.
  let ok = apt(['install', '-y', '-q', 'chromium']) || present();
  for (let round = 0; !ok && round < 3; round++) ok = (apt(['update', '-q']) && apt(['install', '-y', '-q', 'chromium'])) || present();
  if (!ok) throw new Error('console tests need Chromium: `apt-get install -y chromium` failed (run as root, with network to the Debian mirrors)');
  const installed = CANDIDATES.map(which).find(Boolean);
  if (!installed) throw new Error('chromium was installed but is not on PATH');
  return installed;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI needs --no-sandbox; the rest keeps the browser itself off the network.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    timeout: 60_000,
  });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Every URL the page asked for that is not on loopback (aborted). */
  offLoopback: string[];
  /** Every URL requested, in order. */
  requests: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function watchedPage(browser: Browser, opts: { width?: number; height?: number } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 } });
  // Generous: CI machines run the whole suite beside this (load averages of 30 seen); still bounded.
  context.setDefaultTimeout(30_000);
  const w: Watched = { context, page: await context.newPage(), errors: [], offLoopback: [], requests: [] };
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    w.requests.push(url.href);
    if (url.protocol === 'data:' || LOOPBACK.has(url.hostname)) return route.continue();
    w.offLoopback.push(url.href);
    return route.abort('blockedbyclient');
  });
  w.page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  w.page.on('pageerror', (e) => w.errors.push(`page error: ${e.message}`));
  return w;
}

export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/signin`);
  await page.fill('#key', key);
  await Promise.all([page.waitForURL(`${base}/usage`), page.click('button[type=submit]')]);
}
