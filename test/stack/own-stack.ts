// Settings for a stack of the test's own — its own directory and ports — for tests that stop
// and start a service (Kafka, PostgreSQL, Redis): the shared stack is never touched.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { stackPorts } from '../../config/variables.js';
import { stackPaths, type StackSettings } from '../../stack/paths.js';
import { portFree } from '../../stack/net.js';

export type Ports = ReturnType<typeof stackPorts>;

/** Progress and result sinks that print nothing (stack up/down under a test). */
export const quiet = { progress: (): void => undefined, result: (): void => undefined };

/**
 * A fresh stack directory (`meterline-<label>-…` under the temp dir; the caller removes it) and a
 * port base whose ports `needed` names are free.
 */
export async function ownStack(label: string, needed: (p: Ports) => number[]): Promise<{ settings: StackSettings; dir: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), `meterline-${label}-`));
  for (let attempt = 0; attempt < 20; attempt++) {
    // Below the ephemeral range (32768+): a client socket may hold any port above it.
    const base = 20_000 + 250 * Math.floor(Math.random() * 24);
    const ports = stackPorts(base);
    const free = await Promise.all(needed(ports).map((p) => portFree(p)));
    if (free.every(Boolean)) return { settings: { paths: stackPaths({ METERLINE_STACK_DIR: dir }), ports, portBase: base, schemaRegistry: false }, dir };
  }
  throw new Error(`no free ports for ${label}`);
}
