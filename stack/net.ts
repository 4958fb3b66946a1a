// Port checks and readiness polling: no fixed sleeps, every wait has a deadline.
import net from 'node:net';

/** True when nothing listens on 127.0.0.1:port and we could bind it. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when a TCP connection to 127.0.0.1:port opens within timeoutMs. */
export function tcpAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends one inline command to a Redis-protocol port and resolves with the first reply line. */
export function redisCommand(port: number, command: string, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (reply: string | undefined) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(buf.slice(0, i));
    });
    socket.once('error', () => done(undefined));
  });
}

export interface WaitOptions {
  /** What is being waited for, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts: a reason to give up early (e.g. the process died). */
  abort?: () => string | undefined;
}

/** Polls `probe` until it returns true; throws with the last probe error on timeout or abort. */
export async function waitUntil(probe: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    const reason = opts.abort?.();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) {
      throw new Error(
        `${opts.what}: not ready after ${Math.round(opts.timeoutMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
