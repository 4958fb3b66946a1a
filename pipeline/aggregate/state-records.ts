// The newest changelog record of each state key, as a restore reads them (changelog.ts): the
// values copied into a few large buffers, each key's slot rewritten in place when the key comes
// again, a deleted key's slot reused by the next new key.
//
// Why not a Map of Buffers: restoring 100 000 servers with 11 open windows each reads ≈ 1.2
// million live records (and as many superseded ones). A Buffer per record is a JS object the
// collector walks and copies until the restore ends — and a view into the fetched response
// keeps the whole response alive, a copy needs an object of its own. Here a record costs its
// key, a Map entry, four numbers and its bytes; the restore's peak RSS at that scale was 1.3 GiB
// with views, 0.7 GiB with copies (docs/performance.md).
//
// Iterating yields [key, view] pairs made on the way: they live as long as the consumer keeps
// them (the restore of one partition), not for the whole read.

/** Bytes of a buffer that values are copied into. */
const CHUNK_BYTES = 1024 * 1024;
/** A value larger than this gets a buffer of its own (format 1 holds a whole partition in one). */
const OWN_BUFFER_FROM = 64 * 1024;
/** Room kept beside a value, so a record rewritten a little longer (more digits) stays in its slot. */
const HEADROOM = 16;

export class StateRecords implements Iterable<readonly [string, Buffer]> {
  private readonly slots = new Map<string, number>();
  /** Per slot: its buffer, where its value starts, its length and the bytes it may hold. */
  private readonly chunkOf: number[] = [];
  private readonly start: number[] = [];
  private readonly length: number[] = [];
  private readonly room: number[] = [];
  /** Slots of deleted keys, for the next new key. */
  private readonly free: number[] = [];
  private readonly chunks: Buffer[] = [];
  /** Bytes used of the last chunk. */
  private used = CHUNK_BYTES;

  get size(): number {
    return this.slots.size;
  }

  /** `value` becomes the key's record (copied). */
  set(key: string, value: Buffer): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.chunkOf.push(-1) - 1;
      if (this.chunkOf[slot] === -1) this.room[slot] = -1;
      this.slots.set(key, slot);
    }
    if (value.length > (this.room[slot] as number)) this.place(slot, value.length);
    value.copy(this.chunks[this.chunkOf[slot] as number] as Buffer, this.start[slot] as number);
    this.length[slot] = value.length;
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.free.push(slot);
  }

  get(key: string): Buffer | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.view(slot);
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  *[Symbol.iterator](): IterableIterator<readonly [string, Buffer]> {
    for (const [key, slot] of this.slots) yield [key, this.view(slot)] as const;
  }

  /** Empty; the buffers go with it. */
  clear(): void {
    this.slots.clear();
    for (const a of [this.chunkOf, this.start, this.length, this.room, this.free, this.chunks]) a.length = 0;
    this.used = CHUNK_BYTES;
  }

  private view(slot: number): Buffer {
    const from = this.start[slot] as number;
    return (this.chunks[this.chunkOf[slot] as number] as Buffer).subarray(from, from + (this.length[slot] as number));
  }

  /** New space for a slot whose value outgrew it (its old bytes stay unused until clear()). */
  private place(slot: number, bytes: number): void {
    if (bytes >= OWN_BUFFER_FROM) {
      this.chunks.push(Buffer.allocUnsafe(bytes));
      this.chunkOf[slot] = this.chunks.length - 1;
      this.start[slot] = 0;
      this.room[slot] = bytes;
      this.used = CHUNK_BYTES; // the next small value starts a fresh chunk after this one
      return;
    }
    const room = bytes + HEADROOM;
    if (this.used + room > CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafe(CHUNK_BYTES));
      this.used = 0;
    }
    this.chunkOf[slot] = this.chunks.length - 1;
    this.start[slot] = this.used;
    this.room[slot] = room;
    this.used += room;
  }
}
