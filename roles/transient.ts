// Which failures are a dependency blip (retry: the same work succeeds once PostgreSQL, Kafka or
// the registry is back) and which are the work itself (a poison record, a configuration error:
// retrying changes nothing, so it must be dead-lettered or reported, never retried forever).
import { MeterlineError } from '../lib/errors.js';

/** SQLSTATE classes/codes that say "the server or the connection", not "this statement". */
const TRANSIENT_SQLSTATE = [
  /^08/, // connection exception
  /^53/, // insufficient resources (too many connections, disk full)
  /^57P0[1-4]$/, // admin/crash shutdown, cannot connect now, database dropped
  /^40001$/, // serialization failure
  /^40P01$/, // deadlock detected
  /^55P03$/, // lock not available
  /^58/, // system error (I/O)
  /^XX000$/, // internal error: seen while a server restarts
];

const TRANSIENT_SYSCALL = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

const TRANSIENT_MESSAGE = [
  /Connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /not yet accepting connections/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client was closed and is not queryable/i,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function transientOne(e: ErrorLike): boolean {
  if (e instanceof MeterlineError) return e.kind === 'unavailable' || (e.retriable && e.kind !== 'config');
  const name = typeof e.name === 'string' ? e.name : '';
  // kafkajs marks what a retry can fix; its own errors are all about the cluster, not our data.
  if (name.startsWith('KafkaJS')) return e.retriable === true || name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSConnectionError' || name === 'KafkaJSNoBrokerAvailableError' || name === 'KafkaJSRequestTimeoutError' || name === 'KafkaJSConnectionClosedError';
  const code = typeof e.code === 'string' ? e.code : '';
  if (TRANSIENT_SYSCALL.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE.some((re) => re.test(code));
  const message = typeof e.message === 'string' ? e.message : '';
  return TRANSIENT_MESSAGE.some((re) => re.test(message));
}

/** True when retrying the same work later can succeed (the error is about a dependency). */
export function isTransient(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 5) return false;
  const e = err as ErrorLike;
  if (transientOne(e)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isTransient(x, depth + 1))) return true; // AggregateError
  return e.cause !== undefined && isTransient(e.cause, depth + 1);
}
