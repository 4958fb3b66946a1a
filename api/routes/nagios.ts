// POST /v1/nagios/perfdata and POST /v1/nagios/events (SPEC §7, §10): text bodies of many
// Nagios lines, agent keys only.
//   perfdata: perfdata-file lines → samples → metrics.raw through the same acknowledged
//     publisher as /v1/samples; 202 {"accepted","ignored","rejected":[{line,code,reason}]},
//     400 when no line was accepted, 503 when Kafka did not acknowledge (nothing claimed;
//     re-send: sample ids derive from host, service and TIMET, so that is safe).
//   events: nagios.log / Statusengine lines → HARD host states in PostgreSQL (idempotent);
//     200 {"events","stored","duplicates","ignored","rejected"}.
// Rejected lines go to metrics.dlq with their bytes, line number and reason.
import { Hono, type Context } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import { deadLetter, type DeadLetter } from '../../avro/records.js';
import { isKind } from '../../lib/errors.js';
import type { HostMap } from '../../nagios/index.js';
import type { HostStateEvent } from '../../nagios/state.js';
import { storeHostStates, type StoredStates } from '../../nagios/store/index.js';
import type { Metrics } from '../../observability/metrics.js';
import { checkWindow, type IngestLimits } from '../../pipeline/ingest/decode.js';
import type { IngestPublisher } from '../../pipeline/ingest/publisher.js';
import { readBodyLimited } from '../../pipeline/ingest/read-body.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import type { AuthEnv } from '../auth/index.js';
import { countLines, parseNagiosBody, type LineOutcome } from './nagios-lines.js';

export interface NagiosRouteOptions {
  publisher: IngestPublisher;
  pool: pg.Pool;
  limits: IngestLimits & { maxBodyBytes: number };
  /** Nagios HOSTNAME → server_id (catalogue `hosts:`); default: equal names. */
  hosts?: HostMap;
  now?: () => number;
  metrics?: Pick<Metrics, 'samplesIngested' | 'samplesRejected' | 'dlqRecords' | 'nagiosHostStates'>;
  log?: Logger;
  /** Called after new host states were stored (e.g. to recompute the drafts they change). */
  onStatesStored?: (changed: StoredStates['changed']) => Promise<void>;
}

export interface LineRejection {
  line: number;
  code: string;
  reason: string;
}

type Ctx = Context<AuthEnv>;

const TEXT = /^text\/plain\s*(;\s*charset\s*=\s*"?utf-?8"?\s*)?$/i;

function contentTypeProblem(header: string | undefined): string | undefined {
  if (header === undefined) return 'Content-Type is missing; send text/plain (UTF-8), one Nagios line per line';
  return TEXT.test(header.trim()) ? undefined : `Content-Type ${JSON.stringify(header)} is not accepted; send text/plain (UTF-8)`;
}

export function nagiosRoute(opts: NagiosRouteOptions): Hono<AuthEnv> {
  const now = opts.now ?? Date.now;
  const hosts = opts.hosts ?? {};
  const app = new Hono<AuthEnv>();

  /** Reads and splits the body, or answers 413/415. */
  async function readLines(c: Ctx): Promise<LineOutcome[] | Response> {
    const problem = contentTypeProblem(c.req.header('content-type'));
    if (problem) return c.json({ error: problem }, 415);
    const read = await readBodyLimited(c.req.raw, opts.limits.maxBodyBytes);
    if (!read.ok) return c.json({ error: read.reason }, 413);
    const lines = countLines(read.body);
    if (lines > opts.limits.maxBatchSamples) {
      return c.json({ error: `${lines} lines exceed METERLINE_MAX_BATCH_SAMPLES (${opts.limits.maxBatchSamples}); split the body` }, 413);
    }
    return parseNagiosBody(read.body, hosts);
  }

  const letterFor = (c: Ctx, receivedAtMs: number, o: LineOutcome, reason: string, serverId?: string): DeadLetter => {
    const apiKeyId = c.get('apiKey')?.id;
    return deadLetter(o.bytes, {
      source: 'nagios', receivedAtMs, contentType: 'text/plain', reason, index: o.line,
      ...(apiKeyId ? { apiKeyId } : {}), ...(serverId ? { serverId } : {}),
    });
  };

  const unavailable = (c: Ctx, err: unknown, what: string) => {
    if (!isKind(err, 'unavailable')) throw err;
    opts.log?.warn({ err: err.message }, `nagios: ${what}; answering 503`);
    c.header('Retry-After', '5');
    return c.json({ error: `${err.message}; nothing was accepted, re-send the request` }, 503);
  };

  app.post('/v1/nagios/perfdata', async (c) => {
    const outcomes = await readLines(c);
    if (outcomes instanceof Response) return outcomes;
    const receivedAtMs = now();
    const samples: Sample[] = [];
    const rejected: LineRejection[] = [];
    const letters: DeadLetter[] = [];
    let ignored = 0;
    const reject = (o: LineOutcome, code: string, reason: string, serverId?: string) => {
      rejected.push({ line: o.line, code, reason });
      letters.push(letterFor(c, receivedAtMs, o, `line ${o.line}: ${reason}`, serverId));
    };
    for (const o of outcomes) {
      if (o.kind === 'ignored') ignored++;
      else if (o.kind === 'error') reject(o, o.code, o.reason);
      else if (o.kind === 'state') reject(o, 'invalid', 'a host state line: post nagios.log and Statusengine lines to /v1/nagios/events');
      else {
        const late = checkWindow(o.sample.tsMs, receivedAtMs, opts.limits);
        if (late) reject(o, 'window', late, o.sample.serverId);
        else samples.push(o.sample);
      }
    }
    try {
      await opts.publisher.publish({ samples, deadLetters: letters });
    } catch (err) {
      return unavailable(c, err, 'Kafka did not acknowledge');
    }
    const m = opts.metrics;
    if (m) {
      if (samples.length > 0) m.samplesIngested.inc({ format: 'nagios-perfdata' }, samples.length);
      for (const r of rejected) m.samplesRejected.inc({ reason: r.code });
      if (letters.length > 0) m.dlqRecords.inc({ role: 'ingest' }, letters.length);
    }
    if (samples.length === 0 && (rejected.length > 0 || outcomes.length === 0)) {
      const error = outcomes.length === 0 ? 'the body has no lines' : `all ${rejected.length} perfdata lines rejected`;
      return c.json({ error, accepted: 0, ignored, rejected }, 400);
    }
    return c.json({ accepted: samples.length, ignored, rejected }, 202);
  });

  app.post('/v1/nagios/events', async (c) => {
    const outcomes = await readLines(c);
    if (outcomes instanceof Response) return outcomes;
    const receivedAtMs = now();
    const events: HostStateEvent[] = [];
    const rejected: LineRejection[] = [];
    const letters: DeadLetter[] = [];
    let ignored = 0;
    for (const o of outcomes) {
      if (o.kind === 'state' && o.event.hard) events.push(o.event);
      else if (o.kind === 'state' || o.kind === 'ignored') ignored++; // SOFT states never count
      else {
        const reason = o.kind === 'sample' ? 'a perfdata-file line: post it to /v1/nagios/perfdata' : o.reason;
        rejected.push({ line: o.line, code: o.kind === 'sample' ? 'invalid' : o.code, reason });
        letters.push(letterFor(c, receivedAtMs, o, `line ${o.line}: ${reason}`));
      }
    }
    let stored: StoredStates;
    try {
      stored = await storeHostStates(opts.pool, events, hosts);
    } catch (err) {
      opts.log?.warn({ err: (err as Error).message }, 'nagios: host states not stored; answering 503');
      c.header('Retry-After', '5');
      return c.json({ error: `cannot store host states: ${(err as Error).message}; re-send the request (it is idempotent)` }, 503);
    }
    try {
      if (letters.length > 0) await opts.publisher.publish({ samples: [], deadLetters: letters });
    } catch (err) {
      return unavailable(c, err, 'Kafka did not acknowledge the rejected lines');
    }
    const m = opts.metrics;
    if (m) {
      if (stored.inserted > 0) m.nagiosHostStates.inc({ result: 'stored' }, stored.inserted);
      if (stored.offered > stored.inserted) m.nagiosHostStates.inc({ result: 'duplicate' }, stored.offered - stored.inserted);
      if (letters.length > 0) m.dlqRecords.inc({ role: 'ingest' }, letters.length);
    }
    if (stored.changed.length > 0 && opts.onStatesStored) {
      // The states are stored; a failed recompute is caught up by the rate role's draft clock (invoicing/draft-clock.ts).
      await opts.onStatesStored(stored.changed).catch((err: unknown) => opts.log?.warn({ err: (err as Error).message }, 'nagios: recomputing drafts failed'));
    }
    const body = { events: events.length, stored: stored.inserted, duplicates: stored.offered - stored.inserted, ignored, rejected };
    if (events.length === 0 && (rejected.length > 0 || outcomes.length === 0)) {
      return c.json({ error: outcomes.length === 0 ? 'the body has no lines' : `all ${rejected.length} lines rejected`, ...body }, 400);
    }
    return c.json(body, 200);
  });
  return app;
}
