// The rollup parts of rows taken from a partition (closed on time, or pending corrections):
// one part per meter a row holds, in the row order given and then meter order, handed to a
// sink as one reused view (part-sink.ts) or collected as objects. Rows are recycled after.
import type { RollupPart } from './rollup.js';
import { stateInto, type CompiledMeter } from './accumulator.js';
import { collectingSink, newPartView, type PartSink, type PartView } from './part-sink.js';
import type { PartitionState } from './partition.js';

export class RowEmitter {
  /** `:${meter name}` per meter, the middle of its partIds. */
  private readonly meterInfix: readonly string[];
  /** The view handed to sinks, refilled per part (emission is not re-entrant). */
  private readonly view: PartView;

  constructor(
    private readonly topic: string,
    private readonly compiled: readonly CompiledMeter[],
  ) {
    this.meterInfix = compiled.map((cm) => `:${cm.name}`);
    this.view = newPartView(topic);
  }

  /**
   * The parts of `rows` of `p`, which are then recycled: to `sink`, else as objects into `out`
   * (built from the same view: one emission code for both).
   */
  emit(p: PartitionState, rows: readonly number[], correction: boolean, out: RollupPart[], sink: PartSink | undefined): void {
    const to = sink ?? collectingSink(out);
    const slab = p.slab;
    const mixed = slab.offsets.mixed;
    const v = this.view;
    // partId = `${topic}:${partition}:${firstOffset}:${meter}:${segmentStartMs}`, from pieces
    // made once per emission, row and meter rather than per part (≈ 5 parts per sample).
    v.idPrefix = `${this.topic}:${p.partition}:`;
    v.partition = p.partition;
    v.correction = correction;
    const compiled = this.compiled;
    for (const row of rows) {
      v.serverId = p.serverIdOf(row);
      v.windowStartMs = slab.start[row] as number;
      v.windowEndMs = slab.endOf(row);
      v.idSuffix = `:${v.windowStartMs}`;
      // A row whose cells share its offset pair (not mixed: slab-offsets.ts) formats it once.
      const shared = mixed[row] === 0;
      let first: string | undefined;
      let last: string | undefined;
      for (let i = 0; i < compiled.length; i++) {
        if (!slab.has(row, i)) continue;
        const cm = compiled[i] as CompiledMeter;
        v.meter = cm.name;
        v.idInfix = this.meterInfix[i] as string;
        v.firstOffset = shared ? (first ??= slab.offset(row, i, false)) : slab.offset(row, i, false);
        v.lastOffset = shared ? (last ??= slab.offset(row, i, true)) : slab.offset(row, i, true);
        stateInto(slab, row, i, cm, v.state);
        to.part(v);
      }
    }
    p.release(rows);
  }
}
