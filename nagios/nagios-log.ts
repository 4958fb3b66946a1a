// nagios.log lines that carry host states (SPEC §7):
//   [1790812800] HOST ALERT: web01;DOWN;HARD;3;CRITICAL - Host Unreachable (10.0.0.1)
//   [1790812800] CURRENT HOST STATE: web01;UP;HARD;1;PING OK - rta 0.2ms   (written at log rotation)
//   [1790812800] INITIAL HOST STATE: web01;UP;HARD;1;…                      (written at start-up)
// Every other entry (SERVICE ALERT, HOST NOTIFICATION, downtime, external commands, …) is
// ignored: service alerts do not count for SLA, and a notification only repeats an alert
// (once per contact, and suppressed by notification options and downtimes), so it adds no
// state the alert did not already give.
import type { HostState, HostStateEvent } from './state.js';

export type LogLineResult =
  | { kind: 'state'; event: HostStateEvent }
  | { kind: 'ignored' }
  | { kind: 'error'; reason: string };

const ENTRY = /^\[(\d{1,11})\] ([A-Z][A-Z ]*?): (.*)$/;
const STATE_ENTRIES: Record<string, HostStateEvent['source']> = {
  'HOST ALERT': 'alert',
  'CURRENT HOST STATE': 'current',
  'INITIAL HOST STATE': 'initial',
};
const HOST_STATES = new Set<string>(['UP', 'DOWN', 'UNREACHABLE']);

/** Does this line look like a nagios.log entry (`[epoch] …`)? */
export const isNagiosLogLine = (line: string): boolean => /^\s*\[\d+\]/.test(line);

export function parseNagiosLogLine(line: string): LogLineResult {
  const text = line.replace(/\r$/, '').trim();
  const m = ENTRY.exec(text);
  if (!m) {
    return isNagiosLogLine(text) ? { kind: 'ignored' } : { kind: 'error', reason: 'not a nagios.log line ([epoch] TYPE: …)' };
  }
  const source = STATE_ENTRIES[m[2] as string];
  if (!source) return { kind: 'ignored' };
  // host;STATE;STATETYPE;attempt;output — the output may hold ';', so only the first fields split.
  const fields = (m[3] as string).split(';');
  if (fields.length < 3) return { kind: 'error', reason: `${m[2]}: expected host;STATE;STATETYPE;…` };
  const [host = '', state = '', type = ''] = fields;
  if (host.trim() === '') return { kind: 'error', reason: `${m[2]}: empty host name` };
  if (!HOST_STATES.has(state)) return { kind: 'error', reason: `${m[2]}: host state ${JSON.stringify(state)} is not UP, DOWN or UNREACHABLE` };
  if (type !== 'HARD' && type !== 'SOFT') return { kind: 'error', reason: `${m[2]}: state type ${JSON.stringify(type)} is not HARD or SOFT` };
  return {
    kind: 'state',
    event: { host: host.trim(), state: state as HostState, hard: type === 'HARD', tsMs: Number(m[1]) * 1000, source },
  };
}
