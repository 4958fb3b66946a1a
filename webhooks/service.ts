// Webhook endpoints as the API manages them (SPEC §13): create (the secret is returned once,
// stored encrypted), list, delete, and a webhook's deliveries. Input is checked field by field
// before anything is stored; a refused URL, an unknown event name or a stray field is a 422
// naming it.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { MeterlineError, ValidationError, type Problem } from '../lib/errors.js';
import { EVENT_TYPES, isEventType, type EventType } from '../events/types.js';
import { deleteWebhook, insertWebhook, listDeliveries, listWebhooks, webhookExists, type DeliveryView, type Webhook } from './db.js';
import type { SecretBox } from './secret-box.js';
import { generateSecret } from './signature.js';
import { urlProblem, type Resolver } from './url-guard.js';

export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;
const MAX_URL_LENGTH = 2048;

export interface WebhookServiceOptions {
  pool: pg.Pool;
  /** Absent when METERLINE_WEBHOOK_KEY is not set: creating a webhook is then refused (503). */
  box?: SecretBox;
  allowPrivate: boolean;
  resolve?: Resolver;
}

export async function parseWebhookRequest(text: string, o: Pick<WebhookServiceOptions, 'allowPrivate' | 'resolve'>): Promise<{ url: string; events: EventType[] }> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new MeterlineError('validation', `body: not valid JSON (${(err as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('webhook', [{ path: '(body)', message: 'must be a JSON object {"url","events"}' }]);
  const b = body as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const k of Object.keys(b)) if (k !== 'url' && k !== 'events') problems.push({ path: k, message: 'unknown field (allowed: url, events)' });
  if (typeof b.url !== 'string' || b.url.length === 0) problems.push({ path: 'url', message: 'required, a string' });
  else if (b.url.length > MAX_URL_LENGTH) problems.push({ path: 'url', message: `longer than ${MAX_URL_LENGTH} characters` });
  else {
    // A name that does not resolve yet is registered; each delivery attempt checks it again.
    const p = await urlProblem(b.url, o.allowPrivate, o.resolve, 'accept');
    if (p) problems.push({ path: 'url', message: p });
  }
  const events: EventType[] = [];
  if (!Array.isArray(b.events) || b.events.length === 0) problems.push({ path: 'events', message: `required, a non-empty array of ${EVENT_TYPES.join(', ')}` });
  else {
    b.events.forEach((e: unknown, i) => {
      if (typeof e !== 'string' || !isEventType(e)) problems.push({ path: `events[${i}]`, message: `unknown event ${JSON.stringify(e)} (known: ${EVENT_TYPES.join(', ')})` });
      else if (!events.includes(e)) events.push(e);
    });
  }
  if (problems.length > 0) throw new ValidationError('webhook', problems);
  return { url: b.url as string, events };
}

export class WebhookService {
  constructor(private readonly o: WebhookServiceOptions) {}

  async create(text: string): Promise<Webhook & { secret: string }> {
    const { url, events } = await parseWebhookRequest(text, this.o);
    if (!this.o.box) throw new MeterlineError('unavailable', 'webhooks are not configured: set METERLINE_WEBHOOK_KEY (32 bytes, hex or base64) to store signing secrets');
    const secret = generateSecret();
    const hook = await insertWebhook(this.o.pool, { id: `wh_${randomBytes(12).toString('hex')}`, url, events, secretEnc: this.o.box.seal(secret) });
    return { ...hook, secret };
  }

  list(): Promise<Webhook[]> {
    return listWebhooks(this.o.pool);
  }

  async delete(id: string): Promise<void> {
    if (!(await deleteWebhook(this.o.pool, id))) throw new MeterlineError('not_found', `no webhook ${JSON.stringify(id)}`);
  }

  async deliveries(id: string, limit: number): Promise<DeliveryView[]> {
    if (!(await webhookExists(this.o.pool, id))) throw new MeterlineError('not_found', `no webhook ${JSON.stringify(id)}`);
    return listDeliveries(this.o.pool, id, limit);
  }
}
