// The webhook delivery worker (runs in the rate role, so in `meterline run` too). Each of
// `concurrency` loops: in one transaction, claim the head delivery of a (webhook, customer)
// queue that is due, POST it signed, record the outcome (delivered, retry at the backoff's next
// time, or failed), commit. The row stays locked while the request runs, so no other worker or
// process sends it; a crash mid-request rolls the claim back and the delivery is sent again
// (receivers deduplicate by webhook-id, which is the same on every attempt).
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { withTransaction } from '../invoicing/db/tx.js';
import { DEFAULT_BACKOFF_MS, nextDelayMs } from './backoff.js';
import { claimDue, recordAttempt, type AttemptResult, type ClaimedDelivery } from './db.js';
import type { SecretBox } from './secret-box.js';
import { webhookHeaders } from './signature.js';
import { urlProblem } from './url-guard.js';
import { sleeper } from '../lib/sleeper.js';

export const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookWorkerOptions {
  pool: pg.Pool;
  box: SecretBox;
  allowPrivate: boolean;
  log: Logger;
  metrics?: Metrics;
  concurrency?: number;
  /** Idle poll interval. */
  pollMs?: number;
  backoffMs?: readonly number[];
  timeoutMs?: number;
}

export interface WebhookWorker {
  stop(): Promise<void>;
}

/** The request body of an event (Standard Webhooks: type, timestamp, data). */
export const deliveryBody = (d: ClaimedDelivery): string =>
  JSON.stringify({ type: d.event.type, timestamp: new Date(d.event.createdAtMs).toISOString(), data: d.event.data });

async function attempt(d: ClaimedDelivery, o: WebhookWorkerOptions): Promise<{ code: number | null; error: string | null }> {
  const problem = await urlProblem(d.url, o.allowPrivate);
  if (problem) return { code: null, error: `refused: ${problem}` };
  const body = deliveryBody(d);
  let secret: string;
  try {
    secret = o.box.open(d.secretEnc);
  } catch (err) {
    // METERLINE_WEBHOOK_KEY changed: an attempt that fails (and backs off), not a hot loop.
    return { code: null, error: (err as Error).message };
  }
  const headers = webhookHeaders(secret, d.event.id, Math.floor(Date.now() / 1000), body);
  try {
    const r = await fetch(d.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs ?? DELIVERY_TIMEOUT_MS) });
    await r.body?.cancel().catch(() => undefined);
    return { code: r.status, error: r.ok ? null : `HTTP ${r.status}` };
  } catch (err) {
    const e = err as Error;
    return { code: null, error: e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms` : e.message };
  }
}

function outcome(d: ClaimedDelivery, r: { code: number | null; error: string | null }, backoff: readonly number[]): AttemptResult {
  if (r.code !== null && r.code >= 200 && r.code < 300) return { status: 'delivered', code: r.code, error: null };
  const delay = nextDelayMs(d.attempts + 1, backoff);
  if (delay === undefined) return { status: 'failed', code: r.code, error: r.error };
  return { status: 'pending', code: r.code, error: r.error, nextAttemptAt: new Date(Date.now() + delay) };
}

export function startWebhookWorker(o: WebhookWorkerOptions): WebhookWorker {
  const state = { stopped: false };
  const backoff = o.backoffMs ?? DEFAULT_BACKOFF_MS;
  const { sleep, wakeAll } = sleeper();
  const idle = () => sleep(o.pollMs ?? 1000);

  /** One delivery; false when nothing was due. */
  const step = () =>
    withTransaction(o.pool, async (client) => {
      const d = await claimDue(client);
      if (!d) return false;
      const result = outcome(d, await attempt(d, o), backoff);
      await recordAttempt(client, d.id, result);
      o.metrics?.webhookDeliveries.inc({ status: result.status === 'pending' ? 'retry' : result.status });
      if (result.status !== 'delivered') o.log.warn({ delivery: d.id, event: d.event.id, code: result.code, error: result.error, status: result.status }, 'webhook delivery failed');
      return true;
    });

  const loop = async () => {
    while (!state.stopped) {
      try {
        if (!(await step())) await idle();
      } catch (err) {
        // The database blipped: wait, then carry on (the claim rolled back; nothing is lost).
        if (!state.stopped) o.log.warn({ err }, 'webhooks: delivery step failed');
        if (!state.stopped) await idle();
      }
    }
  };
  const loops = Array.from({ length: o.concurrency ?? 4 }, loop);
  return {
    async stop() {
      state.stopped = true;
      wakeAll();
      await Promise.all(loops);
    },
  };
}
