// Webhook routes (SPEC §13), finance keys only: POST /v1/webhooks → {id, secret, …} (the
// secret shown this once), GET /v1/webhooks, DELETE /v1/webhooks/:id, GET
// /v1/webhooks/:id/deliveries. Bodies over 16 KiB are refused (413) before they are read whole.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type pg from 'pg';
import { apiKeyAuth, type AuthEnv, type KeyLookup } from '../auth/index.js';
import { errorResponse } from '../../invoicing/http-errors.js';
import { MAX_WEBHOOK_BODY_BYTES, WebhookService } from '../../webhooks/service.js';
import type { SecretBox } from '../../webhooks/secret-box.js';
import { MeterlineError } from '../../lib/errors.js';

export interface WebhooksRouteOptions {
  pool: pg.Pool;
  lookup: KeyLookup;
  box?: SecretBox;
  allowPrivate: boolean;
}

export function webhooksRoute(opts: WebhooksRouteOptions): Hono<AuthEnv> {
  const service = new WebhookService(opts);
  const app = new Hono<AuthEnv>();
  const finance = apiKeyAuth({ lookup: opts.lookup, allow: ['finance'], action: 'manage webhooks' });
  const limit = bodyLimit({
    maxSize: MAX_WEBHOOK_BODY_BYTES,
    onError: (c) => c.json({ error: `body: larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` }, 413),
  });

  app.post('/v1/webhooks', finance, limit, async (c) => {
    try {
      // Read as JSON whatever Content-Type says, like the API's other JSON routes: a client that
      // labels its JSON text/plain (fetch's default for a string) or sends no type is not wrong.
      const hook = await service.create(await c.req.text());
      c.header('Location', `/v1/webhooks/${hook.id}`);
      return c.json(hook, 201);
    } catch (err) {
      if (err instanceof MeterlineError && err.kind === 'validation' && err.message.startsWith('body: not valid JSON')) return c.json({ error: err.message }, 400);
      return errorResponse(c, err);
    }
  });

  app.get('/v1/webhooks', finance, async (c) => c.json({ webhooks: await service.list() }));

  app.delete('/v1/webhooks/:id', finance, async (c) => {
    try {
      await service.delete(c.req.param('id'));
      return c.body(null, 204);
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/v1/webhooks/:id/deliveries', finance, async (c) => {
    try {
      const n = Number(c.req.query('limit') ?? '100');
      return c.json({ deliveries: await service.deliveries(c.req.param('id'), Number.isInteger(n) && n >= 1 && n <= 1000 ? n : 100) });
    } catch (err) {
      return errorResponse(c, err);
    }
  });
  return app;
}
