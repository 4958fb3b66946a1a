// Serves a hono app on a port with @hono/node-server; stop() stops accepting, lets the requests
// in flight finish (Connection: close), and cuts what is still open after STOP_GRACE_MS.
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Server as NodeHttpServer, ServerResponse } from 'node:http';
import { MeterlineError } from '../lib/errors.js';

export interface HttpServer {
  port: number;
  stop(): Promise<void>;
}

/** After this long, connections still open at shutdown are cut (their requests answered or not). */
export const STOP_GRACE_MS = 5000;

export function listen(app: Hono, port: number, hostname = '0.0.0.0'): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    let markClosing: () => void = () => undefined;
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        port: info.port,
        stop: () =>
          new Promise<void>((done) => {
            markClosing();
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(cut);
              done();
            });
            // close() only stops new connections: a busy keep-alive client (an agent posting
            // batch after batch) would be served for as long as it keeps sending. Each request
            // now answers with Connection: close, and whatever turns idle is closed at once.
            http.closeIdleConnections();
            const sweep = setInterval(() => http.closeIdleConnections(), 50);
            const cut = setTimeout(() => http.closeAllConnections(), STOP_GRACE_MS);
          }),
      });
    });
    const http = server as unknown as NodeHttpServer;
    let closing = false;
    /** Responses not yet finished: at stop, those whose headers are not out yet say Connection: close. */
    const open = new Set<ServerResponse>();
    const sayClose = (res: ServerResponse) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    };
    http.on('request', (_req, res) => {
      if (closing) return sayClose(res);
      open.add(res);
      res.once('close', () => open.delete(res));
    });
    markClosing = () => {
      closing = true;
      for (const res of open) sayClose(res);
    };
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
