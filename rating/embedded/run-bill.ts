// `meterline bill` without Kafka or a database: streams NDJSON samples (and Nagios lines)
// once, deduplicates by sample id, runs the shared Aggregator (the aggregate role's code) per
// catalogue, folds its parts per subscription and rates the period. With two catalogues
// (`--compare-catalog`) the same samples feed both, so the comparison is like for like.
import { stat } from 'node:fs/promises';
import type { Catalog } from '../../catalog/types.js';
import { MeterlineError } from '../../lib/errors.js';
import { buildDownIntervals, type DownInterval } from '../../nagios/intervals.js';
import { parseNagiosLine } from '../../nagios/lines.js';
import type { HostStateEvent } from '../../nagios/state.js';
import { Aggregator } from '../../pipeline/aggregation/aggregator.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import { SubscriptionIndex } from '../attribution.js';
import type { Invoice } from '../invoice-types.js';
import { parsePeriod, type BillingPeriod } from '../period.js';
import { ratePeriod } from '../rate-period.js';
import { readLines } from './lines.js';
import { isRejection, type LineItem } from './parse-line.js';
import { parsedBatches } from './parsed-batches.js';
import { SeenIdSet } from './seen-ids.js';
import { UsageCollector, splitPointsFor, type Unattributed } from './usage-collector.js';

export interface Rejected {
  file: string;
  line: number;
  reason: string;
}

export interface BillStats {
  /** Lines read from the event files (blank lines included). */
  lines: number;
  /** Samples accepted (after dedup). */
  samples: number;
  duplicates: number;
  rejected: number;
  nagiosLines: number;
  downIntervals: number;
  elapsedMs: number;
}

export interface BillOptions {
  /** The catalogue to bill with, then optionally one to compare against. */
  catalogs: readonly Catalog[];
  /** `YYYY-MM`. */
  period: string;
  eventFiles: readonly string[];
  nagiosFile?: string;
  /** Worker threads parsing lines (0 = parse in-process). Invoices do not depend on it. */
  parseWorkers?: number;
  /** Internal window of the embedded aggregator (invoices do not depend on it). */
  windowMs: number;
  onRejected: (r: Rejected) => void;
  onProgress?: (s: BillStats) => void;
  /** Processing clock for progress only (tests pass a fake). */
  now?: () => number;
}

export interface BillRun {
  catalog: Catalog;
  period: BillingPeriod;
  invoices: Invoice[];
  unattributed: Unattributed[];
}

interface Pipeline {
  catalog: Catalog;
  period: BillingPeriod;
  aggregator: Aggregator;
  collector: UsageCollector;
}

// The watermark only decides when a window's part is handed over (bounded memory for input in
// time order); late samples become correction parts, which are merged the same way. So the
// lateness changes memory, never an invoice.
const EMBEDDED_LATENESS_MS = 3_600_000;

function pipeline(catalog: Catalog, label: string, windowMs: number): Pipeline {
  const period = parsePeriod(label, catalog.timezone);
  const index = new SubscriptionIndex(catalog.subscriptions);
  const aggregator = new Aggregator({
    meters: Object.values(catalog.meters),
    windowMs,
    allowedLatenessMs: EMBEDDED_LATENESS_MS,
    idleTimeoutMs: Number.POSITIVE_INFINITY,
    splitPoints: splitPointsFor(index, period),
    topic: 'bill',
  });
  return { catalog, period, aggregator, collector: new UsageCollector(catalog, period, index) };
}

/**
 * A starting size for the dedup table from the input's size, so that a month of samples does
 * not rehash the table eight times on the way (each a pass over hundreds of MB). A sample line
 * is rarely under 256 bytes with its id, server, ts and metrics, so this underestimates the
 * count (the table still grows as needed) rather than reserving memory that is never used.
 */
async function expectedIdSlots(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const f of files) if (f !== '-') bytes += (await stat(f).catch(() => ({ size: 0 }))).size;
  return Math.min(Math.max(bytes / 256 / 0.7, 1 << 16), 1 << 26);
}

export async function runBill(o: BillOptions): Promise<{ runs: BillRun[]; stats: BillStats }> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const pipes = o.catalogs.map((c) => pipeline(c, o.period, o.windowMs));
  const seen = new SeenIdSet(await expectedIdSlots(o.eventFiles));
  const stats: BillStats = { lines: 0, samples: 0, duplicates: 0, rejected: 0, nagiosLines: 0, downIntervals: 0, elapsedMs: 0 };
  let offset = 0;
  let nextProgress = t0 + 1000;

  const reject = (file: string, line: number, reason: string): void => {
    stats.rejected++;
    o.onRejected({ file, line, reason });
  };
  // `fresh`: whether the id is new, when a parse worker already hashed it (see ParsedBatch.ids).
  const feed = (sample: Sample, file: string, line: number, fresh?: boolean): void => {
    if (!(fresh ?? seen.add(sample.id))) {
      stats.duplicates++;
      return;
    }
    const source = { partition: 0, offset: String(offset++) };
    try {
      for (const p of pipes) for (const part of p.aggregator.add(sample, source, 0)) p.collector.add(part);
      stats.samples++;
    } catch (err) {
      if (!(err instanceof MeterlineError)) throw err;
      reject(file, line, err.message);
    }
  };
  let ids: Uint32Array | undefined;
  let k = 0;
  const take = (item: LineItem, file: string, line: number): void => {
    if (isRejection(item)) reject(file, line, item.reason);
    else if (ids === undefined) feed(item, file, line);
    else {
      feed(item, file, line, seen.addFingerprint(ids[k]!, ids[k + 1]!, ids[k + 2]!));
      k += 3;
    }
  };
  const progress = (): void => {
    if (o.onProgress && (stats.lines & 0xffff) === 0 && now() >= nextProgress) {
      nextProgress = now() + 1000;
      o.onProgress({ ...stats, elapsedMs: now() - t0 });
    }
  };

  for await (const batch of parsedBatches(o.eventFiles, o.parseWorkers ?? 0)) {
    const { file, firstLine, results } = batch;
    ids = batch.ids;
    k = 0;
    for (let i = 0; i < results.length; i++) {
      stats.lines++;
      progress();
      const r = results[i];
      if (r === undefined) continue;
      if (Array.isArray(r)) {
        for (const item of r) take(item, file, firstLine + i);
      } else take(r, file, firstLine + i);
    }
  }

  ids = undefined;

  const events: HostStateEvent[] = [];
  if (o.nagiosFile !== undefined) {
    const hosts = o.catalogs[0]?.hosts ?? {};
    for await (const { line, text } of readLines(o.nagiosFile)) {
      stats.nagiosLines++;
      const r = parseNagiosLine(text, hosts);
      if (r.kind === 'sample') feed(r.sample, o.nagiosFile, line);
      else if (r.kind === 'state') events.push(r.event);
      else if (r.kind === 'error') reject(o.nagiosFile, line, r.reason);
    }
  }

  const runs = pipes.map((p): BillRun => {
    for (const part of p.aggregator.flushAll()) p.collector.add(part);
    const down: DownInterval[] = buildDownIntervals(events, p.catalog.hosts);
    if (p === pipes[0]) stats.downIntervals = down.length;
    return {
      catalog: p.catalog,
      period: p.period,
      invoices: ratePeriod({ catalog: p.catalog, period: p.period, usage: p.collector.usage(), down }),
      unattributed: p.collector.unattributedUsage(),
    };
  });
  stats.elapsedMs = now() - t0;
  return { runs, stats };
}
