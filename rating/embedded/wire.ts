// The compact form in which parse workers hand parsed lines to the main thread. Structured
// clone of Sample objects cost as much as parsing the JSON in the first place; a batch is
// instead one table of distinct names (server ids, metric names, label keys, interval_s texts,
// short metric values), one array of other strings and one Float64Array (transferred). The
// main thread interns each distinct name once per batch, so every Map lookup downstream hits a
// string whose hash is cached.
import type { Sample } from '../../pipeline/samples/sample.js';
import { isRejection, type LineItem, type LineResult } from './parse-line.js';
import { fingerprintInto } from './seen-ids.js';

export interface WireBatch {
  names: string[];
  strs: string[];
  nums: Float64Array;
  /**
   * The id fingerprint (seen-ids.ts) of every sample, three words each, in item order: hashing
   * the ids here takes that work off the main thread, which only probes its table.
   */
  ids: Uint32Array;
}

/** Metric values up to this length travel in the name table (see encodeBatch). */
const SHORT_VALUE = 6;

const BLANK = 0;
const SAMPLE = 1;
const REJECTION = 2;
const ARRAY = 3;

export function encodeBatch(results: readonly LineResult[]): WireBatch {
  const names: string[] = [];
  const index = new Map<string, number>();
  const name = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = names.length;
      names.push(s);
      index.set(s, i);
    }
    return i;
  };
  const strs: string[] = [];
  const nums: number[] = [];
  let samples = 0;
  for (const r of results) {
    if (Array.isArray(r)) samples += r.length;
    else if (r !== undefined) samples++;
  }
  const ids = new Uint32Array(samples * 3);
  let k = 0;
  const lastMetric: Array<string | undefined> = [];
  const lastIndex: number[] = [];
  const item = (x: LineItem): void => {
    if (isRejection(x)) {
      nums.push(REJECTION);
      strs.push(x.reason);
      return;
    }
    fingerprintInto(x.id, ids, 3 * k++);
    const metrics = Object.keys(x.metrics);
    const labels = Object.keys(x.labels);
    nums.push(SAMPLE, x.tsMs, name(x.serverId), x.intervalS === undefined ? -1 : name(x.intervalS), metrics.length, labels.length);
    strs.push(x.id);
    for (let j = 0; j < metrics.length; j++) {
      const m = metrics[j]!;
      // Samples repeat their metric names in the same order: the j-th name of the previous
      // sample usually is this one (the very same string, so === is a pointer comparison).
      let n: number;
      if (j < 16 && lastMetric[j] === m) n = lastIndex[j]!;
      else {
        n = name(m);
        if (j < 16) {
          lastMetric[j] = m;
          lastIndex[j] = n;
        }
      }
      // Short values (gauge levels: "1", "50", "91.1") repeat: they go in the name table, so
      // the main thread gets one interned string per distinct value instead of a fresh string
      // per sample. Long ones (counter readings) rarely repeat and go as strings.
      const v = x.metrics[m]!;
      if (v.length <= SHORT_VALUE) nums.push(n, name(v));
      else {
        nums.push(n, -1);
        strs.push(v);
      }
    }
    for (const l of labels) {
      nums.push(name(l));
      strs.push(x.labels[l]!);
    }
  };
  for (const r of results) {
    if (r === undefined) nums.push(BLANK);
    else if (Array.isArray(r)) {
      nums.push(ARRAY, r.length);
      r.forEach(item);
    } else item(r);
  }
  // new Float64Array(array) copies in one pass; Float64Array.from walks the iterator protocol.
  return { names, strs, nums: new Float64Array(nums), ids: ids.subarray(0, 3 * k) };
}

/** Shared by every decoded sample without labels (most): nothing downstream writes to labels. */
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function decodeBatch(b: WireBatch, intern: Map<string, string>): LineResult[] {
  const names = b.names.map((n) => {
    const known = intern.get(n);
    if (known !== undefined) return known;
    if (intern.size < 1_000_000) intern.set(n, n);
    return n;
  });
  const { strs, nums } = b;
  let p = 0;
  let s = 0;
  const item = (): LineItem => {
    if (nums[p++] === REJECTION) return { reason: strs[s++]! };
    const tsMs = nums[p++]!;
    const serverId = names[nums[p++]!]!;
    const interval = nums[p++]!;
    const nMetrics = nums[p++]!;
    const nLabels = nums[p++]!;
    const id = strs[s++]!;
    const intervalS = interval >= 0 ? names[interval]! : undefined;
    const metrics: Record<string, string> = {};
    for (let k = 0; k < nMetrics; k++) {
      const metric = names[nums[p++]!]!;
      const v = nums[p++]!;
      metrics[metric] = v >= 0 ? names[v]! : strs[s++]!;
    }
    let labels: Record<string, string> = NO_LABELS;
    if (nLabels > 0) {
      labels = {};
      for (let k = 0; k < nLabels; k++) labels[names[nums[p++]!]!] = strs[s++]!;
    }
    const sample: Sample = { id, serverId, tsMs, metrics, labels };
    if (intervalS !== undefined) sample.intervalS = intervalS;
    return sample;
  };
  const out: LineResult[] = [];
  while (p < nums.length) {
    const kind = nums[p];
    if (kind === BLANK) {
      p++;
      out.push(undefined);
    } else if (kind === ARRAY) {
      const n = nums[p + 1]!;
      p += 2;
      const items: LineItem[] = [];
      for (let k = 0; k < n; k++) items.push(item());
      out.push(items);
    } else out.push(item());
  }
  return out;
}
