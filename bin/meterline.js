#!/usr/bin/env node
// Launcher. A built image ships dist/ without the TypeScript sources and runs the compiled
// entry; a checkout runs the sources through tsx, so no stale build is ever executed.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
const built = join(root, 'dist', 'cli', 'main.js');

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(built).href);
}
