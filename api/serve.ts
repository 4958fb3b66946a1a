// Serves a hono app on a port with @hono/node-server; stop() stops accepting and waits for
// open requests to finish.
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { MeterlineError } from '../lib/errors.js';

export interface HttpServer {
  port: number;
  stop(): Promise<void>;
}

export function listen(app: Hono, port: number, hostname = '0.0.0.0'): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        port: info.port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections would hold close() open until they time out.
            (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      });
    });
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new MeterlineError(
              'config',
              `bad configuration: PORT=${port}: the port is already in use; choose another with PORT`,
            )
          : err,
      ),
    );
  });
}
