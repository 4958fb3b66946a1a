// One `stack up`/`down` at a time per stack dir: several engineers' `npm test` runs may start
// the same stack at once, and two `up`s racing would start two brokers, the loser overwriting
// the winner's pid file. The lock is a file holding the holder's pid and start time; a lock
// whose holder has died is taken over.
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime, readPidRecord, isAlive } from './process.js';

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export async function withStackLock<T>(
  runDir: string,
  note: (line: string) => void,
  fn: () => Promise<T>,
  timeoutMs = 15 * 60_000,
): Promise<T> {
  const file = join(runDir, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid} ${processStartTime(process.pid) ?? '0'}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPidRecord(file);
      // An empty file may be one a holder has just created and not yet written: only an old
      // one is abandoned.
      const abandoned = holder ? !isAlive(holder.pid, holder.startTime) : ageMs(file) > 5_000;
      if (abandoned) {
        rmSync(file, { force: true });
        continue;
      }
      const who = holder ? `pid ${holder.pid}` : 'starting';
      if (Date.now() > deadline) {
        throw new Error(`another 'meterline stack' command (${who}) holds ${file}`, { cause: err });
      }
      if (!told) {
        note(`stack: waiting for another 'meterline stack' command (${who}) to finish…`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
