// Thin wrapper over node:util parseArgs that turns its errors into UsageError (exit 2, one line).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';
import { parseDuration } from '../lib/duration.js';

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A duration flag (`30s`, `500ms`) in milliseconds, undefined when absent; a bad value is a usage error naming the flag. */
export function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}
