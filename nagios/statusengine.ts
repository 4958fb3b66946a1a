// Statusengine-style statechange messages, one JSON object per line, in either shape:
//  - as the Statusengine broker publishes them (queue `statusngin_statechanges`):
//    {"timestamp":1790812800,"statechange":{"host_name":"web01","service_description":"",
//     "statechange_type":1,"state":1,"state_type":1,"current_attempt":3,"max_attempts":3,
//     "last_state":0,"last_hard_state":0,"output":"…","long_output":""}}
//  - as a flat state-history row (Statusengine's database and API):
//    {"hostname":"web01","state_time":1790812800,"state":1,"is_hardstate":true,"service_description":null}
// Host states are numbers (0 UP, 1 DOWN, 2 UNREACHABLE) or names; state_type 1 = HARD, 0 = SOFT
// (or is_hardstate true/false). Timestamps are epoch seconds. A message naming a service is a
// service state change and is ignored (SPEC §7: service alerts do not count).
import { parseJsonExact, showJson } from '../lib/json-exact.js';
import { canonicalNumber, NumberText } from '../lib/number-text.js';
import { HOST_STATE_CODES, type HostState, type HostStateEvent } from './state.js';

export type StatusengineResult =
  | { kind: 'state'; event: HostStateEvent }
  | { kind: 'ignored' }
  | { kind: 'error'; reason: string };

/** A JSON object (a number read as NumberText is an object to JavaScript, not to JSON). */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText);

/** Numbers arrive as their text (lib/json-exact.ts): state codes and epochs are judged by its canonical form ("1.0" → "1"). */
const plain = (v: unknown): unknown => (v instanceof NumberText ? canonicalNumber(v.text) : v);

function hostState(raw: unknown): HostState | undefined {
  const v = plain(raw);
  if (typeof v === 'number' || (typeof v === 'string' && /^\d$/.test(v))) return HOST_STATE_CODES[Number(v)];
  if (typeof v === 'string') return (HOST_STATE_CODES as readonly string[]).includes(v.toUpperCase()) ? (v.toUpperCase() as HostState) : undefined;
  return undefined;
}

function hardness(stateType: unknown, isHard: unknown): boolean | undefined {
  for (const v of [plain(stateType), plain(isHard)]) {
    if (v === 1 || v === '1' || v === true || v === 'HARD' || v === 'true') return true;
    if (v === 0 || v === '0' || v === false || v === 'SOFT' || v === 'false') return false;
  }
  return undefined;
}

/** Whole epoch seconds, from a number's text or a string of digits (never rounded: 1790812800.5 is refused). */
function epochSeconds(raw: unknown): number | undefined {
  const v = plain(raw);
  return typeof v === 'string' && /^\d{1,11}$/.test(v) ? Number(v) : undefined;
}

export function parseStatusengineLine(line: string): StatusengineResult {
  let v: unknown;
  try {
    v = parseJsonExact(line);
  } catch (err) {
    return { kind: 'error', reason: `invalid JSON: ${(err as Error).message}` };
  }
  if (!isObject(v)) return { kind: 'error', reason: 'a statechange message must be a JSON object' };
  const inner = isObject(v.statechange) ? v.statechange : v;
  const service = inner.service_description ?? inner.servicedescription;
  if (typeof service === 'string' && service !== '') return { kind: 'ignored' };
  const host = inner.host_name ?? inner.hostname;
  if (typeof host !== 'string' || host.trim() === '') return { kind: 'error', reason: 'host_name (or hostname) is missing' };
  const state = hostState(inner.state);
  if (!state) return { kind: 'error', reason: `state ${showJson(inner.state)} is not a host state (0/1/2 or UP/DOWN/UNREACHABLE)` };
  const hard = hardness(inner.state_type, inner.is_hardstate);
  if (hard === undefined) return { kind: 'error', reason: 'state_type (or is_hardstate) is missing or not HARD/SOFT' };
  const tsField = v.timestamp ?? inner.timestamp ?? inner.state_time;
  const ts = epochSeconds(tsField);
  if (ts === undefined) return { kind: 'error', reason: `timestamp ${showJson(tsField)} is not epoch seconds` };
  return { kind: 'state', event: { host: host.trim(), state, hard, tsMs: ts * 1000, source: 'statusengine' } };
}
