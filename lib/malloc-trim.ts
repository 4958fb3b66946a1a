// Gives glibc's free heap pages back to the system (malloc_trim(3)), through koffi, a foreign
// function interface with prebuilt binaries (no compiler at install).
//
// Why (issue 11: memory): librdkafka copies every record it is handed into memory malloc'd on
// the producing (main) thread, and node's small Buffers come from the same arena. A window
// close hands ≈ 100 000 records to librdkafka at once; once they are delivered their memory is
// free but stays in the arena, scattered between live allocations, where glibc's automatic trim
// (only the top of the heap, past MALLOC_TRIM_THRESHOLD_) cannot return it. malloc_trim(0)
// returns every free page of every arena. Measured on the role at 100 000 servers by calling it
// from a debugger: RSS −15 MiB at once, −6 to −18 MiB on each later call (docs/performance.md).
//
// Only glibc has it: elsewhere (musl, macOS) or if koffi cannot load, trimming does nothing.
import { createRequire } from 'node:module';

type Trim = (pad: number) => number;

let trim: Trim | null | undefined;

function load(): Trim | null {
  if (process.platform !== 'linux') return null;
  try {
    // koffi is CommonJS with a native part: required on first use, not at import.
    const koffi = createRequire(import.meta.url)('koffi') as { load(path: string): { func(decl: string): Trim } };
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
  } catch {
    return null;
  }
}

/** Whether this process can trim (glibc and koffi loaded). */
export function canTrimMalloc(): boolean {
  if (trim === undefined) trim = load();
  return trim !== null;
}

/**
 * Returns the free pages of glibc's arenas to the system; false where that is not possible
 * (true also when there was nothing to return).
 */
export function trimMalloc(): boolean {
  if (!canTrimMalloc()) return false;
  (trim as Trim)(0);
  return true;
}
