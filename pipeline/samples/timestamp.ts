// Sample timestamps: RFC 3339 with a UTC offset, or epoch milliseconds (SPEC §2).
// Date.parse is too lenient (it accepts "2026-10-01" and local-time forms), so the RFC 3339
// grammar is checked first; digits past milliseconds are truncated, never rounded, so a
// sample never moves into the next millisecond (and so never across a window boundary).
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseTimestamp(value: unknown): TimestampResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'ts must be a finite number' };
    if (!Number.isInteger(value)) return { ok: false, reason: 'ts in epoch milliseconds must be a whole number' };
    if (value < 0 || value > 253402300799999) return { ok: false, reason: 'ts out of range' };
    return { ok: true, ms: value };
  }
  if (typeof value !== 'string') return { ok: false, reason: 'ts must be an RFC 3339 string or epoch milliseconds' };
  if (/^\d{1,15}$/.test(value)) return parseTimestamp(Number(value));
  const m = RFC3339.exec(value);
  if (!m) return { ok: false, reason: `ts ${JSON.stringify(value)} is not RFC 3339 (e.g. 2026-10-01T00:00:10.000Z)` };
  const [, y, mo, d, h, mi, s, frac, off] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return { ok: false, reason: `ts ${JSON.stringify(value)} has a field out of range` };
  }
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Math.min(Number(s), 59), ms);
  if (new Date(t).getUTCDate() !== day) return { ok: false, reason: `ts ${JSON.stringify(value)} is not a real date` };
  if (off && off !== 'Z' && off !== 'z') {
    const sign = off[0] === '-' ? -1 : 1;
    const [oh, om] = off.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return { ok: false, reason: `ts ${JSON.stringify(value)} has a bad UTC offset` };
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return { ok: true, ms: t };
}

export const formatTimestamp = (ms: number): string => new Date(ms).toISOString();
