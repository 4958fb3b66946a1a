// /assets/*: the console's stylesheet and islands, and uPlot straight from node_modules — every
// byte the pages load comes from the api role itself (no CDN; works with no internet access).
// Files are read once at start and served with their hash as ETag.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** console/assets beside this module (source checkout), or at the checkout's path (built dist/). */
function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const found = [join(here, 'assets'), join(here, '..', '..', 'console', 'assets')].find((d) => existsSync(join(d, 'console.css')));
  if (!found) throw new Error(`console assets not found beside ${here}`);
  return found;
}

export function assetRoutes(): Hono {
  const dir = assetsDir();
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  const files = new Map<string, string>([
    ['/assets/console.css', join(dir, 'console.css')],
    ['/assets/usage-chart.js', join(dir, 'usage-chart.js')],
    ['/assets/uplot/uPlot.iife.min.js', join(uplotDir, 'uPlot.iife.min.js')],
    ['/assets/uplot/uPlot.min.css', join(uplotDir, 'uPlot.min.css')],
  ]);
  const loaded = new Map(
    [...files].map(([url, path]) => {
      const body = readFileSync(path);
      const ext = path.slice(path.lastIndexOf('.'));
      return [url, { body, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }];
    }),
  );
  const app = new Hono();
  for (const [url, f] of loaded) {
    app.get(url, (c) => {
      c.header('ETag', f.etag);
      c.header('Cache-Control', 'no-cache'); // revalidate: an upgrade is seen at once, unchanged files cost a 304
      if (c.req.header('if-none-match') === f.etag) return c.body(null, 304);
      return c.body(new Uint8Array(f.body), 200, { 'content-type': f.type });
    });
  }
  return app;
}
