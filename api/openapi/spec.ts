// One HTTP route as data: method, path, who may call it, and the zod schemas of its query and
// path parameters. The same object drives three things, so they cannot drift apart: the
// access guard (api/access/guard.ts), request validation (validate.ts) and the OpenAPI
// document (document.ts). Bodies are described by a schema too; the route's own parser stays
// the judge of a body (exact decimals, the catalogue validator), the schema documents it.
import type { z } from 'zod';
import type { KeyRole } from '../auth/keys.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type Access =
  /** No key needed: health, readiness, metrics, the OpenAPI document. */
  | { public: true }
  /**
   * Keys of these roles only. `confined`: a customer key sees only its own customer's data;
   * the route forces the customer filter from the key (never from a parameter).
   */
  | { public?: false; roles: readonly KeyRole[]; action: string; confined?: boolean };

export interface BodySpec {
  /** Media types the route accepts. */
  contentTypes: readonly string[];
  schema?: z.ZodType;
  description: string;
}

export interface RouteSpec {
  /** Unique, stable: the OpenAPI operationId. */
  id: string;
  method: Method;
  /** hono syntax (`/v1/invoices/:id`). */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: BodySpec;
  /** Status of a query or path parameter that fails its schema (routes differ: 400 or 422). */
  invalidStatus?: 400 | 422;
  /** Media types of the 200 answer when it is more than JSON (chosen by the Accept header). */
  produces?: readonly string[];
  responses: Readonly<Record<number, string>>;
}

export const defineRoute = (spec: RouteSpec): RouteSpec => spec;
