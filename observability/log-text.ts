// Log lines for people: on a terminal, pino's JSON records are printed as one short text line
// each — time, level, role, message, then the other fields as key=value — instead of a wall of
// JSON. Machines (a pipe, a file, Kubernetes, NODE_ENV=production) keep the JSON lines.
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 40: '\u001b[33m', 50: '\u001b[31m', 60: '\u001b[31m' };
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';
/** Fields every line has, shown in their own places or not at all. */
const PLACED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'role']);

const show = (v: unknown): string => {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
};

/** One JSON log record → one text line (no colour when `color` is false). */
export function formatRecord(json: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = typeof rec.level === 'number' ? rec.level : 30;
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const label = LEVELS[level] ?? String(level);
  const paint = (s: string, c: string | undefined) => (color && c ? `${c}${s}${RESET}` : s);
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [k, v] of Object.entries(rec)) {
    if (PLACED.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object') {
      const e = v as { message?: unknown; stack?: unknown };
      fields.push(`err=${show(e.message)}`);
      if (level >= 50 && typeof e.stack === 'string') stack = e.stack;
      continue;
    }
    fields.push(`${k}=${show(v)}`);
  }
  const msg = String(rec.msg ?? '');
  // Many messages already start with their role ("rate: drafts synced"): not twice.
  const role = typeof rec.role === 'string' && !msg.startsWith(`${rec.role}:`) ? `${rec.role}: ` : '';
  const rest = fields.length > 0 ? ` ${paint(fields.join(' '), color ? DIM : undefined)}` : '';
  const line = `${paint(time, color ? DIM : undefined)} ${paint(label, COLORS[level])} ${role}${msg}${rest}`;
  return stack ? `${line}\n${stack}` : line;
}

/** A pino destination that writes formatted lines to `out`. */
export function textStream(out: NodeJS.WriteStream, color = out.hasColors?.() ?? false): { write(chunk: string): void } {
  return {
    write(chunk) {
      out.write(`${formatRecord(chunk, color)}\n`);
    },
  };
}

/** Text only on a terminal outside production, and never when METERLINE_LOG_FORMAT=json. */
export function wantsText(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stderr): boolean {
  if (env.METERLINE_LOG_FORMAT === 'json' || env.NODE_ENV === 'production') return false;
  if (env.METERLINE_LOG_FORMAT === 'text') return true;
  return stream.isTTY === true;
}
