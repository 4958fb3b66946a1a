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
  const fast = canonicalUtc(value);
  if (fast >= 0) return { ok: true, ms: fast };
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

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -100_000; // poisons any field it enters: the sum goes negative
};

/**
 * Fast path for the form nearly every sample uses, `YYYY-MM-DDTHH:MM:SSZ` or
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, read by character instead of by regex: epoch milliseconds, or −1
 * when the text is anything else or anything the full path would reject (which then decides,
 * with its own reason). Where it answers, it computes exactly what the full path computes.
 */
function canonicalUtc(v: string): number {
  const n = v.length;
  if (n !== 20 && n !== 24) return -1;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return -1;
  if (v.charCodeAt(n - 1) !== 90) return -1; // 'Z'
  let ms = 0;
  if (n === 24) {
    if (v.charCodeAt(19) !== 46) return -1; // '.'
    ms = digit(v, 20) * 100 + digit(v, 21) * 10 + digit(v, 22);
  }
  const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const month = digit(v, 5) * 10 + digit(v, 6);
  const day = digit(v, 8) * 10 + digit(v, 9);
  const h = digit(v, 11) * 10 + digit(v, 12);
  const mi = digit(v, 14) * 10 + digit(v, 15);
  const s = digit(v, 17) * 10 + digit(v, 18);
  if (y < 0 || ms < 0 || month < 1 || month > 12 || day < 1 || day > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return -1;
  const t = Date.UTC(y, month - 1, day, h, mi, s, ms);
  // A 29th–31st is checked to exist, as the full path does; leap seconds (:60) take that path.
  if (day > 28 && new Date(t).getUTCDate() !== day) return -1;
  return t;
}

export const formatTimestamp = (ms: number): string => new Date(ms).toISOString();
