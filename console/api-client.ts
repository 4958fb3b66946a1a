// The console's only way to data: the HTTP API of SPEC §10, called in-process through the same
// hono app (app.request runs the full middleware, the access guard and the route), with the
// signed-in key as Bearer. So the console can never show more than the key may read over HTTP.
import type { Hono } from 'hono';

export interface ApiAnswer<T> {
  status: number;
  /** Parsed JSON body on 2xx; undefined otherwise. */
  body?: T;
  /** The API's `error` text on a non-2xx answer. */
  error?: string;
  contentType: string;
  raw?: ArrayBuffer;
  /** Headers of a raw document answer (its own CSP, Content-Disposition). */
  headers?: Headers;
}

export interface ApiClient {
  get<T>(path: string): Promise<ApiAnswer<T>>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** A text body (a catalogue file) with its media type. */
  sendText<T>(path: string, text: string, type: string): Promise<ApiAnswer<T>>;
  /** A document (HTML or PDF) as the API renders it. */
  fetchRaw(path: string, accept: string): Promise<ApiAnswer<never>>;
}

export function apiClient(app: Hono, key: string, requestId?: string): ApiClient {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    authorization: `Bearer ${key}`,
    ...(requestId ? { 'x-request-id': requestId } : {}),
    ...extra,
  });
  async function answer<T>(res: Response): Promise<ApiAnswer<T>> {
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) return { status: res.status, body: json as T, contentType };
    const error = (json as { error?: unknown } | undefined)?.error;
    return { status: res.status, error: typeof error === 'string' ? error : `HTTP ${res.status}`, contentType };
  }
  return {
    async get(path) {
      return answer(await app.request(path, { headers: headers({ accept: 'application/json' }) }));
    },
    async send(method, path, body) {
      const init: RequestInit = { method, headers: headers({ accept: 'application/json', 'content-type': 'application/json' }) };
      if (body !== undefined) init.body = JSON.stringify(body);
      return answer(await app.request(path, init));
    },
    async sendText(path, text, type) {
      return answer(await app.request(path, { method: 'POST', headers: headers({ accept: 'application/json', 'content-type': type }), body: text }));
    },
    async fetchRaw(path, accept) {
      const res = await app.request(path, { headers: headers({ accept }) });
      const contentType = res.headers.get('content-type') ?? '';
      return { status: res.status, contentType, raw: await res.arrayBuffer(), headers: res.headers };
    },
  };
}
