// A feed of API key changes, so a revoked key stops working at once in every process while
// key lookups stay cached for speed (cache.ts). In PostgreSQL: one LISTEN connection per pool
// on the channel a trigger notifies on every insert, update or delete of api_keys (migration
// 080). The feed can drop (a database restart): then it is not `live`, the cache falls back to
// its short lifetime, and on reconnecting every cached answer is dropped (changes made while
// nobody listened were not heard).
import pg from 'pg';

export const KEY_CHANNEL = 'meterline_api_keys';

export interface KeyInvalidations {
  /** Changes whenever a cached answer may have become stale: a key changed, or the feed dropped or came back. */
  generation(): number;
  /** True while changes are being delivered. */
  live(): boolean;
  /** Called after each generation change (the cache clears itself; tests await it). */
  subscribe(listener: (reason: string) => void): () => void;
  /** Starts listening (idempotent); the cache calls it when it is created. */
  start(): void;
  close(): Promise<void>;
}

/** The part every feed shares: the generation counter and its subscribers. */
export class InvalidationHub {
  private gen = 0;
  private readonly listeners = new Set<(reason: string) => void>();

  generation(): number {
    return this.gen;
  }

  bump(reason: string): void {
    this.gen++;
    for (const l of this.listeners) l(reason);
  }

  subscribe(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface PgInvalidationOptions {
  /** Reconnect delay after the feed drops: doubles from minRetryMs up to maxRetryMs. */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Told when the feed drops or comes back (never the payload: it is only a key id, but logs get nothing they do not need). */
  onState?: (live: boolean, error?: Error) => void;
}

export function pgKeyInvalidations(pool: pg.Pool, opts: PgInvalidationOptions = {}): KeyInvalidations {
  const hub = new InvalidationHub();
  const minRetryMs = opts.minRetryMs ?? 500;
  const maxRetryMs = opts.maxRetryMs ?? 30_000;
  let client: pg.Client | undefined;
  let live = false;
  let started = false;
  let closed = false;
  let retryMs = minRetryMs;
  let timer: NodeJS.Timeout | undefined;

  const dropped = (err?: Error): void => {
    const c = client;
    client = undefined;
    c?.removeAllListeners('notification');
    c?.end().catch(() => undefined);
    if (live) {
      live = false;
      hub.bump('feed dropped');
      opts.onState?.(false, err);
    }
    if (!closed && timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        void connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    }
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    // Its own connection, with the pool's settings (URL, TLS): LISTEN holds a session, which a
    // pooled client handed back after each query cannot.
    const c = new pg.Client({ ...pool.options, application_name: `${pool.options.application_name ?? 'meterline'}-keys` });
    client = c;
    c.on('error', (err) => {
      if (client === c) dropped(err);
    });
    c.on('end', () => {
      if (client === c) dropped();
    });
    c.on('notification', (m) => {
      if (m.channel === KEY_CHANNEL) hub.bump('key changed');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${KEY_CHANNEL}`);
    } catch (err) {
      if (client === c) dropped(err as Error);
      return;
    }
    if (closed || client !== c) {
      await c.end().catch(() => undefined);
      return;
    }
    retryMs = minRetryMs;
    live = true;
    hub.bump('feed connected'); // changes made while nobody listened were not heard
    opts.onState?.(true);
  };

  return {
    generation: () => hub.generation(),
    live: () => live,
    subscribe: (l) => hub.subscribe(l),
    start() {
      if (started || closed) return;
      started = true;
      void connect();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      live = false;
      await c?.end().catch(() => undefined);
    },
  };
}

/** For the in-memory store: changes are announced synchronously, the feed is always live. */
export function memoryKeyInvalidations(): KeyInvalidations & { announce(id: string): void } {
  const hub = new InvalidationHub();
  return {
    generation: () => hub.generation(),
    live: () => true,
    subscribe: (l) => hub.subscribe(l),
    start: () => undefined,
    close: async () => undefined,
    announce: () => hub.bump('key changed'),
  };
}
