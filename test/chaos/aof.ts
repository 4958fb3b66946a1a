// What a machine crash does to Redis's append-only file under `appendfsync everysec`.
//
// Redis write()s every command to the AOF before it answers the client, and fsync()s the file
// once a second in the background. Killing the process (SIGKILL) loses nothing: the kernel
// still holds the written pages. A machine crash (power, kernel panic) loses what the kernel
// had not yet written to disk: up to the last second or two of acknowledged writes. So the
// crash is modelled here as SIGKILL plus the AOF cut back to the size it had `lossMs` before
// the kill — the cut can fall inside a command, as a torn write does, and Redis loads the
// file up to its last whole command (`aof-load-truncated yes`, the default).
//
// The tracker samples the sizes of the files in `appendonlydir/` every 50 ms. A rewrite in the
// lost second would also change the manifest; the suite's AOF stays far below the 64 MB that
// triggers one, and a file created after the cut point is emptied, as a crash would leave it.
import { existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

const EVERY_MS = 50;
const KEEP_MS = 30_000;

interface Snapshot {
  atMs: number;
  sizes: Map<string, number>;
}

export class AofTracker {
  private history: Snapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly dir: string;

  constructor(redisDataDir: string) {
    this.dir = join(redisDataDir, 'appendonlydir');
  }

  private sizes(): Map<string, number> {
    const out = new Map<string, number>();
    if (!existsSync(this.dir)) return out;
    for (const f of readdirSync(this.dir)) {
      try {
        out.set(f, statSync(join(this.dir, f)).size);
      } catch {
        // renamed away between the listing and the stat (a rewrite): not there now
      }
    }
    return out;
  }

  /** Records the files' sizes as of `nowMs` (the timer's tick; tests call it directly). */
  sample(nowMs: number): void {
    this.history.push({ atMs: nowMs, sizes: this.sizes() });
    while (this.history.length > 1 && (this.history[0] as Snapshot).atMs < nowMs - KEEP_MS) this.history.shift();
  }

  start(): void {
    this.stop();
    this.history = [];
    this.sample(Date.now());
    this.timer = setInterval(() => this.sample(Date.now()), EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Whether some AOF file grew in the last `ms` (Redis is taking writes: a crash now loses some). */
  grewWithin(ms: number, nowMs = Date.now()): boolean {
    const then = [...this.history].reverse().find((x) => x.atMs <= nowMs - ms);
    const last = this.history.at(-1);
    if (then === undefined || last === undefined) return false;
    return [...last.sizes].some(([f, size]) => size > (then.sizes.get(f) ?? 0));
  }

  /** Cuts every AOF file back to its size at `atMs` (the newest sample not after it); returns the bytes cut. */
  cutBack(atMs: number): number {
    const before = [...this.history].reverse().find((s) => s.atMs <= atMs) ?? this.history[0];
    if (before === undefined) throw new Error('no AOF history to cut back to (the tracker never ran)');
    let cut = 0;
    for (const [file, size] of this.sizes()) {
      if (file.endsWith('.manifest')) continue;
      const then = before.sizes.get(file) ?? 0;
      if (size > then) {
        truncateSync(join(this.dir, file), then);
        cut += size - then;
      }
    }
    return cut;
  }
}
