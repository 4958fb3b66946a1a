// HARD host DOWN→UP intervals and the down time / availability the SLA credit needs
// (SPEC §6.4, §7): down runs from a host's HARD DOWN to its next HARD UP, or to the end of the
// period when none follows. SOFT states never open or close an interval; a CURRENT or INITIAL
// HOST STATE line counts like an alert (at log rotation it re-states the HARD state, so a log
// read alone still knows a host that was already down). Repeated HARD DOWNs keep the first
// start; a HARD UP with nothing open is a no-op, so reading the same log twice changes nothing.
import { Decimal } from '../lib/decimal.js';
import type { HostStateEvent } from './state.js';
import { serverIdOf, type HostMap } from './to-sample.js';

export interface DownInterval {
  serverId: string;
  host: string;
  /** Epoch ms, inclusive. */
  startMs: number;
  /** Epoch ms, exclusive; null = still down at the end of the input (runs to the period end). */
  endMs: number | null;
}

export interface IntervalOptions {
  /**
   * Count HARD UNREACHABLE as down (default false: SPEC §7 names DOWN alone; UNREACHABLE means
   * a parent on the path failed, which Nagios tells apart on purpose). With true, UNREACHABLE
   * opens an interval like DOWN; either way only a HARD UP closes one.
   */
  unreachableIsDown?: boolean;
}

/** Builds every host's down intervals; events may come in any order (sorted by time, stably). */
export function buildDownIntervals(events: readonly HostStateEvent[], hosts: HostMap, options: IntervalOptions = {}): DownInterval[] {
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.tsMs - b.e.tsMs || a.i - b.i)
    .map(({ e }) => e);
  const open = new Map<string, number>();
  const out: DownInterval[] = [];
  for (const e of sorted) {
    if (!e.hard) continue;
    const down = e.state === 'DOWN' || (e.state === 'UNREACHABLE' && options.unreachableIsDown === true);
    const start = open.get(e.host);
    if (down && start === undefined) open.set(e.host, e.tsMs);
    else if (e.state === 'UP' && start !== undefined) {
      open.delete(e.host);
      out.push({ serverId: serverIdOf(e.host, hosts), host: e.host, startMs: start, endMs: e.tsMs });
    }
  }
  for (const [host, startMs] of open) out.push({ serverId: serverIdOf(host, hosts), host, startMs, endMs: null });
  return out.sort((a, b) => a.serverId.localeCompare(b.serverId) || a.startMs - b.startMs || a.host.localeCompare(b.host));
}

/**
 * The server's intervals clipped to [fromMs, toMs) and merged where they overlap (two Nagios
 * hosts may map to one server), sorted by start. An open interval runs to toMs.
 */
export function downIntervalsIn(intervals: readonly DownInterval[], serverId: string, fromMs: number, toMs: number): Array<{ startMs: number; endMs: number }> {
  const clipped = intervals
    .filter((i) => i.serverId === serverId)
    .map((i) => ({ startMs: Math.max(i.startMs, fromMs), endMs: Math.min(i.endMs ?? toMs, toMs) }))
    .filter((i) => i.endMs > i.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const merged: Array<{ startMs: number; endMs: number }> = [];
  for (const i of clipped) {
    const last = merged[merged.length - 1];
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else merged.push({ ...i });
  }
  return merged;
}

/** Down seconds of a server inside [fromMs, toMs), exact (milliseconds ÷ 1000). */
export function downSeconds(intervals: readonly DownInterval[], serverId: string, fromMs: number, toMs: number): Decimal {
  const ms = downIntervalsIn(intervals, serverId, fromMs, toMs).reduce((sum, i) => sum + (i.endMs - i.startMs), 0);
  return new Decimal(ms).div(1000);
}

/**
 * Availability percent = 100 × (1 − down seconds ÷ seconds of [fromMs, toMs)) (SPEC §6.4; the
 * caller passes the subscription's part of the period). An empty range is 100: no time to be
 * down in. Exact, unrounded; the rating code compares it with the `below` thresholds.
 */
export function availability(intervals: readonly DownInterval[], serverId: string, fromMs: number, toMs: number): Decimal {
  if (toMs <= fromMs) return new Decimal(100);
  const down = downSeconds(intervals, serverId, fromMs, toMs);
  const total = new Decimal(toMs - fromMs).div(1000);
  return new Decimal(100).times(new Decimal(1).minus(down.div(total)));
}
