// A real webhook receiver on loopback for the delivery tests: verifies every request with the
// Standard Webhooks reference library (as a customer's endpoint would), answers 500 while
// `down` says so, and lets tests await what it accepted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  type: string;
  customer: string;
  data: Record<string, unknown>;
}

export async function startReceiver(secret: () => string, down: (n: number) => boolean) {
  const accepted: Received[] = [];
  let requests = 0;
  let badSignatures = 0;
  const waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (!w.pred()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    res.on('finish', notify);
    req.on('end', () => {
      requests += 1;
      let payload: { type: string; data: Record<string, unknown> };
      try {
        payload = new Webhook(secret()).verify(body, req.headers as Record<string, string>) as typeof payload;
      } catch {
        badSignatures += 1;
        res.writeHead(400).end('bad signature');
        return;
      }
      if (down(requests)) {
        res.writeHead(500).end('down');
        return;
      }
      accepted.push({ id: String(req.headers['webhook-id']), type: payload.type, customer: String(payload.data.customer), data: payload.data });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    accepted,
    requests: () => requests,
    badSignatures: () => badSignatures,
    until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
      if (pred()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`receiver: timed out waiting for ${what} (accepted ${accepted.length}, requests ${requests})`)), timeoutMs);
        waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
