// The HTTP app every HTTP role shares: health here, each role mounts its own routes on it
// (RoleContext.app). Built by a factory, no module-level app, so tests get a fresh one.
import { Hono } from 'hono';

export function createApp(): Hono {
  const app = new Hono();
  // Liveness only: the process runs and serves HTTP. Readiness of dependencies is /readyz's job.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}
