// Typed-array columns for the aggregation slab (slab.ts) and its row offsets (slab-offsets.ts):
// views of resizable ArrayBuffers that grow in place within an address-space reservation, and
// the process-wide tally of their bytes the memory bench reads.

export type Column = Float64Array | Int32Array | Uint16Array | Uint8Array;
export type ColumnType = Float64ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;
/** ES2024's resizable ArrayBuffer (Node ≥ 20; the project's lib is ES2023). */
interface ResizableBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/**
 * Bytes of slab columns allocated in this process, never decreasing (a FinalizationRegistry to
 * subtract collected slabs crashed node 20 with resizable buffers: SIGSEGV in 2 of 10 runs of
 * the property tests, none in 32 without it). Resizable buffers are not in V8's
 * process.memoryUsage().arrayBuffers, so the memory bench adds the growth of this total.
 */
let columnBytes = 0;
export const slabColumnBytes = (): number => columnBytes;
/** Adds a slab's change in column bytes to the total. */
export const tallyColumnBytes = (delta: number): void => {
  columnBytes += delta;
};

/**
 * A column of `rows` rows whose storage can later grow in place: a length-tracking view of a
 * resizable buffer. Growing a plain typed array copies it, and the old copy stays resident until
 * a full GC frees it — at a million rows a transient the size of the whole slab, at the peak.
 * A one-row slab (singleState) takes a plain array: it never grows, and reserving costs ≈ 30 µs.
 */
export function column<C extends ColumnType>(type: C, rows: number, reserve: number): InstanceType<C> {
  if (reserve <= rows) return new type(rows) as InstanceType<C>;
  const buf = new Resizable(rows * type.BYTES_PER_ELEMENT, { maxByteLength: reserve * type.BYTES_PER_ELEMENT });
  return new type(buf) as InstanceType<C>;
}

/** Grows a column to `rows`: in place within its reservation, else into a new one (copied). */
export function grown<C extends Column>(col: C, rows: number, reserve: number): C {
  const buf = col.buffer as ResizableBuffer;
  const bytes = rows * col.BYTES_PER_ELEMENT;
  if (buf.resizable && bytes <= buf.maxByteLength) {
    buf.resize(bytes);
    return col;
  }
  const type = col.constructor as ColumnType;
  const next = column(type, rows, reserve) as C;
  next.set(col as never);
  return next;
}

/**
 * A copy of a narrow column as a wider type, same rows and reservation: every value exact (an
 * int32 is a double, a byte a 16-bit integer). The narrow one is garbage for the next GC.
 */
export function widened<C extends ColumnType>(col: Column, type: C, rows: number, reserve: number): InstanceType<C> {
  const wide = column(type, rows, reserve);
  wide.set(col as never);
  return wide;
}
