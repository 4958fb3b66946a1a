// The tail mode's memory across restarts: per followed path, the file (device, inode) and the
// byte offset up to which its lines were *sent*. Written atomically (temp file + rename), so a
// crash leaves either the old or the new state, never half of one.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { MeterlineError } from '../../lib/errors.js';
import type { FilePosition } from './follow.js';

export type TailState = Record<string, FilePosition>;

const isPosition = (v: unknown): v is FilePosition =>
  typeof v === 'object' && v !== null &&
  ['dev', 'ino', 'offset'].every((k) => Number.isSafeInteger((v as Record<string, unknown>)[k]));

export async function loadTailState(file: string): Promise<TailState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MeterlineError('config', `cannot read state file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MeterlineError('config', `state file ${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const files = typeof doc === 'object' && doc !== null ? (doc as { files?: unknown }).files : undefined;
  if (typeof files !== 'object' || files === null) throw new MeterlineError('config', `state file ${file} has no "files" object`);
  const out: TailState = {};
  for (const [path, pos] of Object.entries(files)) {
    if (!isPosition(pos)) throw new MeterlineError('config', `state file ${file}: files.${path} is not {dev, ino, offset}`);
    out[path] = { dev: pos.dev, ino: pos.ino, offset: pos.offset };
  }
  return out;
}

export async function saveTailState(file: string, state: TailState): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, files: state }, null, 2)}\n`);
  await rename(tmp, file);
}
