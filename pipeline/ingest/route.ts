// POST /v1/samples (SPEC §2, §10). The answer:
//   202 {"accepted":n,"rejected":[…]}   n ≥ 1: every accepted sample is acknowledged by Kafka
//                                        (acks=all); rejected ones are listed and on metrics.dlq
//   400 {"error","accepted":0,"rejected":[…]}   no sample accepted (all rejected, or the body
//                                        is not usable as a whole: broken JSON structure, empty)
//   413 {"error"}  body over METERLINE_MAX_BODY_BYTES or more than METERLINE_MAX_BATCH_SAMPLES
//   415 {"error"}  Content-Type (or Content-Encoding) not accepted
//   401/403        from the auth middleware
//   503 {"error","accepted":0}  Kafka (or the Schema Registry) did not acknowledge: nothing is
//                                        claimed; re-send the whole request (sample ids make
//                                        that safe)
// Each rejection: {"index": i, "id": "…" | null, "code": "utf8|json|invalid|window", "reason": "…"}.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { deadLetter, type DeadLetter } from '../../avro/records.js';
import { isKind } from '../../lib/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AuthEnv } from '../../api/auth/middleware.js';
import { parseContentType } from './content-type.js';
import { decodeBody, type IngestLimits } from './decode.js';
import type { IngestPublisher } from './publisher.js';
import { readBodyLimited } from './read-body.js';
import type { Sample } from '../samples/sample.js';

export interface SamplesRouteOptions {
  publisher: IngestPublisher;
  limits: IngestLimits & { maxBodyBytes: number };
  auth: MiddlewareHandler<AuthEnv>;
  now?: () => number;
  metrics?: Pick<Metrics, 'samplesIngested' | 'samplesRejected' | 'dlqRecords' | 'ingestRequestSeconds'>;
  log?: Logger;
}

export interface Rejection {
  index: number;
  id: string | null;
  code: string;
  reason: string;
}

export function samplesRoute(opts: SamplesRouteOptions): Hono<AuthEnv> {
  const now = opts.now ?? Date.now;
  const app = new Hono<AuthEnv>();

  app.post('/v1/samples', opts.auth, async (c) => {
    const started = performance.now();
    const ct = parseContentType(c.req.header('content-type'));
    if (!ct.ok) return c.json({ error: ct.reason }, 415);
    const encoding = c.req.header('content-encoding');
    if (encoding && encoding.toLowerCase() !== 'identity') {
      return c.json({ error: `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send the body uncompressed` }, 415);
    }
    const read = await readBodyLimited(c.req.raw, opts.limits.maxBodyBytes);
    if (!read.ok) return c.json({ error: read.reason }, 413);

    const receivedAtMs = now();
    const apiKeyId = c.get('apiKey')?.id;
    const common = { source: 'http', receivedAtMs, contentType: ct.mediaType, ...(apiKeyId ? { apiKeyId } : {}) };
    const decoded = decodeBody(read.body, ct.format, receivedAtMs, opts.limits);

    const samples: Sample[] = [];
    const rejected: Rejection[] = [];
    const deadLetters: DeadLetter[] = [];
    let bodyError: string | undefined;
    if (!decoded.ok) {
      if (decoded.status === 413) return c.json({ error: decoded.reason }, 413);
      bodyError = decoded.reason;
      if (read.body.length > 0) deadLetters.push(deadLetter(read.body, { ...common, reason: decoded.reason }));
    } else {
      for (const o of decoded.outcomes) {
        if (o.ok) {
          samples.push(o.sample);
          continue;
        }
        rejected.push({ index: o.index, id: o.id ?? null, code: o.code, reason: o.reason });
        deadLetters.push(
          deadLetter(o.bytes, {
            ...common, reason: o.reason, index: o.index,
            ...(o.id !== undefined ? { sampleId: o.id } : {}),
            ...(o.serverId !== undefined ? { serverId: o.serverId } : {}),
          }),
        );
      }
    }

    try {
      await opts.publisher.publish({ samples, deadLetters });
    } catch (err) {
      if (!isKind(err, 'unavailable')) throw err;
      opts.log?.warn({ err: err.message, samples: samples.length }, 'ingest: Kafka did not acknowledge; answering 503');
      c.header('Retry-After', '5');
      return c.json({ error: `${err.message}; nothing was accepted, re-send the request`, accepted: 0 }, 503);
    }

    const m = opts.metrics;
    if (m) {
      if (samples.length > 0) m.samplesIngested.inc({ format: ct.format }, samples.length);
      for (const r of rejected) m.samplesRejected.inc({ reason: r.code });
      if (bodyError) m.samplesRejected.inc({ reason: 'body' });
      if (deadLetters.length > 0) m.dlqRecords.inc({ role: 'ingest' }, deadLetters.length);
      m.ingestRequestSeconds.observe((performance.now() - started) / 1000);
    }
    if (bodyError) return c.json({ error: bodyError, accepted: 0, rejected }, 400);
    if (samples.length === 0) {
      const first = rejected[0];
      const error = rejected.length === 1 && first ? `sample ${first.index} rejected: ${first.reason}` : `all ${rejected.length} samples rejected`;
      return c.json({ error, accepted: 0, rejected }, 400);
    }
    return c.json({ accepted: samples.length, rejected }, 202);
  });
  return app;
}
