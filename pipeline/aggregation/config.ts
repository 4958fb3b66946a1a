// The Aggregator's configuration: its shape, defaults (declared once, here) and validation.
import type { Meter } from '../../catalog/types.js';
import { MeterlineError } from '../../lib/errors.js';
import type { SplitPoints } from '../windows/segments.js';

export interface AggregatorConfig {
  /** Each reads sample.metrics[meter.metric]; names must be unique. */
  meters: readonly Meter[];
  /** Base tumbling window, epoch-aligned. */
  windowMs: number;
  /** Watermark = max event time seen on the partition − this. */
  allowedLatenessMs: number;
  /** Processing time without records after which a partition is idle (may be Infinity). */
  idleTimeoutMs: number;
  /** Cuts windows into segments (billing periods, subscriptions); must be pure. */
  splitPoints?: SplitPoints;
  /** Topic named in partIds and lineage (default DEFAULT_TOPIC). */
  topic?: string;
  /** Pending correction segments per partition before a forced flush. */
  maxPendingCorrections?: number;
  /**
   * Event time after which a counter series without samples is forgotten (its next sample is a
   * new baseline). Default Infinity: baselines live as long as their partition's state.
   */
  counterIdleMs?: number;
}

export interface SourceRef {
  partition: number;
  /** The record's offset (Kafka offsets are strings; never compared as numbers here). */
  offset: string;
}

export const DEFAULT_TOPIC = 'metrics.raw';
export const DEFAULT_MAX_PENDING_CORRECTIONS = 100_000;

/** Throws one config error naming every bad setting. */
export function checkConfig(c: AggregatorConfig): void {
  const bad: string[] = [];
  if (!Number.isSafeInteger(c.windowMs) || c.windowMs <= 0) bad.push(`windowMs must be a positive integer (got ${c.windowMs})`);
  if (!Number.isSafeInteger(c.allowedLatenessMs) || c.allowedLatenessMs < 0) bad.push(`allowedLatenessMs must be an integer ≥ 0 (got ${c.allowedLatenessMs})`);
  if (c.counterIdleMs !== undefined && !(c.counterIdleMs > 0)) bad.push(`counterIdleMs must be positive (got ${c.counterIdleMs})`);
  if (!(c.idleTimeoutMs > 0)) bad.push(`idleTimeoutMs must be positive (got ${c.idleTimeoutMs})`);
  const names = new Set<string>();
  for (const m of c.meters) {
    if (names.has(m.name)) bad.push(`meter ${m.name} is configured twice`);
    names.add(m.name);
  }
  if (bad.length > 0) throw new MeterlineError('config', `aggregator: ${bad.join('; ')}`);
}

