// Follows one file the way Nagios writes it (an edge: file I/O, unlike the rest of nagios/):
//  - append: each read returns the complete lines added since the last read; a trailing
//    line without its newline yet waits for the next read;
//  - rotation by rename (nagios.log → archives/, the perfdata file moved away by its processing
//    command, then recreated): the open descriptor still reaches the old file, so its rest is
//    read to the end first, then the new file from its start;
//  - truncation in place (copytruncate): the file is read again from its start.
// The position (device, inode, byte offset) is what a state file keeps across restarts.
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface FilePosition {
  dev: number;
  ino: number;
  /** Byte offset just after the last complete line read. */
  offset: number;
}

export interface FollowedLine {
  text: string;
  /** Byte offset of the line's start in its file (where an operator finds a rejected line). */
  offset: number;
}

export interface FileFollower {
  /** Complete new lines (without line breaks); [] when nothing new or the file is missing. */
  read(): Promise<FollowedLine[]>;
  /** True when the last read stopped at its byte budget with more to read. */
  behind(): boolean;
  /** Where the next read starts; undefined until the file has been opened. */
  position(): FilePosition | undefined;
  close(): Promise<void>;
}

export interface FollowerOptions {
  path: string;
  /** Saved position: resumed when it names the same file (device and inode), else ignored. */
  start?: FilePosition;
  /** Told when a saved position could not be resumed (the file was rotated meanwhile). */
  warn?: (message: string) => void;
  chunkBytes?: number;
  /** Most bytes one read takes (a backlog is sent in pieces, never all in memory at once). */
  maxReadBytes?: number;
}

const NEWLINE = 0x0a;

export function createFileFollower({ path, start, warn, chunkBytes = 1 << 16, maxReadBytes = 4 << 20 }: FollowerOptions): FileFollower {
  let handle: FileHandle | undefined;
  let isBehind = false;
  let pos: FilePosition | undefined;
  let saved = start;

  async function openCurrent(): Promise<boolean> {
    let h: FileHandle;
    try {
      h = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // not (re)created yet
      throw err;
    }
    const st = await h.stat();
    handle = h;
    pos = { dev: st.dev, ino: st.ino, offset: 0 };
    if (saved) {
      if (saved.dev === st.dev && saved.ino === st.ino && saved.offset <= st.size) pos.offset = saved.offset;
      else warn?.(`${path}: the saved position names another file (rotated while stopped); reading the current file from its start`);
      saved = undefined;
    }
    return true;
  }

  /**
   * Reads from the handle to its end or the byte budget (`isBehind` then); `final` (a rotated
   * file, complete) takes a last line that has no newline.
   */
  async function drain(final: boolean, budget: number): Promise<FollowedLine[]> {
    const h = handle as FileHandle;
    const p = pos as FilePosition;
    const lines: FollowedLine[] = [];
    const startOffset = p.offset;
    isBehind = false;
    /** Takes whole lines from `bytes` (which starts at p.offset) until the budget is spent. */
    const take = (bytes: Buffer): void => {
      // Split bytes at newlines before decoding, so a multi-byte character is never cut.
      let at = 0;
      while (at < bytes.length) {
        // Counted in whole lines taken, so a line longer than the budget is still taken whole.
        if (p.offset - startOffset >= budget) {
          isBehind = true;
          return;
        }
        const nl = bytes.indexOf(NEWLINE, at);
        const end = nl < 0 ? bytes.length : nl;
        const text = bytes.subarray(at, end).toString('utf8');
        lines.push({ text: text.endsWith('\r') ? text.slice(0, -1) : text, offset: p.offset });
        p.offset += Math.min(end + 1, bytes.length) - at;
        at = end + 1;
      }
    };
    let carry = Buffer.alloc(0);
    let readAt = p.offset;
    while (!isBehind) {
      const buf = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await h.read(buf, 0, chunkBytes, readAt);
      if (bytesRead === 0) break;
      readAt += bytesRead;
      const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const last = data.lastIndexOf(NEWLINE);
      if (last < 0) {
        carry = Buffer.from(data);
        continue;
      }
      take(data.subarray(0, last + 1));
      carry = Buffer.from(data.subarray(last + 1));
    }
    // Bytes read past the budget are simply read again next time (from p.offset).
    if (final && !isBehind && carry.length > 0) take(carry);
    return lines;
  }

  return {
    async read() {
      if (!handle && !(await openCurrent())) return [];
      const lines: FollowedLine[] = [];
      let budget = maxReadBytes;
      for (;;) {
        const current = await stat(path).catch(() => undefined);
        const p = pos as FilePosition;
        const rotated = current !== undefined && (current.ino !== p.ino || current.dev !== p.dev);
        if (!rotated && current !== undefined && current.size < p.offset) {
          p.offset = 0; // truncated in place
        }
        const before = p.offset;
        lines.push(...(await drain(rotated, budget)));
        // The old file is left only when read to its end.
        if (!rotated || isBehind) return lines;
        budget = Math.max(0, budget - (p.offset - before));
        await handle?.close();
        handle = undefined;
        if (!(await openCurrent())) return lines;
      }
    },
    position: () => (pos ? { ...pos } : undefined),
    behind: () => isBehind,
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}
