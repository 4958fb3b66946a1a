// Every route meterline serves, as RouteSpecs (spec.ts). The roles mount their handlers; the
// guard and validator of each route come from here, and so does /openapi.json. A test checks
// that every route an app mounts is listed here (test/api/openapi.test.ts).
import { z } from 'zod';
import { defineRoute, type RouteSpec } from './spec.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const period = z.string().regex(PERIOD, 'must be YYYY-MM (e.g. 2026-10)');
const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty`);
const instant = z.string().describe('RFC 3339 instant (UTC offset allowed) or epoch milliseconds');
const money = z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal string').describe('exact decimal string with at most the currency\'s minor digits, e.g. "10.00"');
const decimal = z.union([z.string(), z.number()]).describe('exact decimal (a string keeps every digit)');

/** SPEC §13: one usage.alert per (customer, period, alert) when the open draft reaches it. */
const usageAlert = z.union([
  z.object({ amount: z.string().describe("total_excluding_tax of the customer's draft, in the currency") }),
  z.object({ meter: z.string(), quantity: z.string().describe("the meter's quantity in the period, all servers, in its unit") }),
]);

const AUTH = {
  401: 'missing, unknown or revoked API key',
  403: "the key's role may not do this",
  429: 'this API key made more requests a second than METERLINE_KEY_RATE_LIMIT allows; retry after Retry-After seconds',
} as const;
/** Invoices and credit notes answer JSON, or their document by Accept (api/routes/documents.ts). */
const DOCUMENT_TYPES = ['application/json', 'text/html', 'application/pdf'] as const;

const sample = z.object({
  id: nonEmpty('id').describe('unique per sample: the idempotency key'),
  server_id: nonEmpty('server_id'),
  ts: z.union([z.string(), z.number().int()]).describe('RFC 3339 or epoch milliseconds'),
  interval_s: z.number().positive().optional(),
  metrics: z.record(z.string(), decimal),
  labels: z.record(z.string(), z.string()).optional(),
});

const contract = z.object({
  overrides: z.record(z.string(), z.object({}).passthrough()).optional(),
  discount_pct: z.string().optional(),
  minimum_commit: z.string().optional(),
});

const billing = z.object({
  name: nonEmpty('name'),
  address: z.array(z.string()).min(1).describe('address lines'),
  country: z.string().describe('ISO 3166-1 alpha-2, upper case'),
  vat_id: z.string().optional(),
  email: z.string().optional(),
}).describe('who invoices are addressed to (SPEC §12.1)');
const customerTax = z.string().describe('a key of the catalogue\'s taxes, or exempt, or reverse_charge (needs billing.vat_id)');

const agent = (action: string) => ({ roles: ['agent'] as const, action });
const finance = (action: string) => ({ roles: ['finance'] as const, action });
const readers = (action: string) => ({ roles: ['finance', 'customer'] as const, action, confined: true });

/** Served by every HTTP role (api/app.ts). */
export const OPS_ROUTES: readonly RouteSpec[] = [
  defineRoute({ id: 'healthz', method: 'get', path: '/healthz', tag: 'operations', summary: 'Liveness: the process serves HTTP', access: { public: true }, responses: { 200: 'alive' } }),
  defineRoute({
    id: 'readyz', method: 'get', path: '/readyz', tag: 'operations', access: { public: true },
    summary: 'Readiness: Kafka and/or the database this role needs answer',
    responses: { 200: 'ready', 503: 'a dependency does not answer (the body names it)' },
  }),
  defineRoute({ id: 'metrics', method: 'get', path: '/metrics', tag: 'operations', summary: 'Prometheus metrics', access: { public: true }, responses: { 200: 'text exposition format' } }),
  defineRoute({ id: 'openapi', method: 'get', path: '/openapi.json', tag: 'operations', summary: 'This document', access: { public: true }, responses: { 200: 'OpenAPI 3.1' } }),
];

/** The ingest role's routes: agents write here. */
export const INGEST_ROUTES: readonly RouteSpec[] = [
  defineRoute({
    id: 'postSamples', method: 'post', path: '/v1/samples', tag: 'ingest', access: agent('write samples'),
    summary: 'Usage samples (JSON array, NDJSON, CloudEvents) → Kafka metrics.raw',
    body: {
      contentTypes: ['application/json', 'application/x-ndjson', 'application/cloudevents+json', 'application/cloudevents-batch+json'],
      schema: z.union([sample, z.array(sample)]),
      description: 'SPEC §2 samples; rejected ones are listed in the response and sent to metrics.dlq',
    },
    responses: { 202: 'accepted samples acknowledged by Kafka; rejections listed', 400: 'no sample accepted', ...AUTH, 413: 'body or batch too large', 415: 'Content-Type not accepted', 503: 'Kafka did not acknowledge; re-send' },
  }),
  defineRoute({
    id: 'postNagiosPerfdata', method: 'post', path: '/v1/nagios/perfdata', tag: 'nagios', access: agent('write Nagios perfdata'),
    summary: 'Bulk perfdata-file lines (PNP4Nagios/nagflux) → samples on metrics.raw',
    body: { contentTypes: ['text/plain'], description: 'one DATATYPE::SERVICEPERFDATA / HOSTPERFDATA line per line' },
    responses: { 202: 'samples acknowledged by Kafka; rejected lines listed (and on metrics.dlq)', 400: 'no line accepted', ...AUTH, 413: 'body too large', 415: 'not text/plain', 503: 'Kafka did not acknowledge; re-send' },
  }),
  defineRoute({
    id: 'postNagiosEvents', method: 'post', path: '/v1/nagios/events', tag: 'nagios', access: agent('write Nagios state events'),
    summary: 'nagios.log lines and Statusengine statechange JSON lines → stored HARD host states',
    body: { contentTypes: ['text/plain'], description: 'nagios.log lines ([epoch] HOST ALERT: …) and/or Statusengine JSON, one per line' },
    responses: { 200: 'HARD host states stored (idempotent); rejected lines listed (and on metrics.dlq)', 400: 'no line usable', ...AUTH, 413: 'body too large', 415: 'not text/plain', 503: 'the database or Kafka did not answer; re-send' },
  }),
];

/** The finance and customer API (the api role). */
export const API_ROUTES: readonly RouteSpec[] = [
  defineRoute({
    id: 'getRollups', method: 'get', path: '/v1/rollups', tag: 'usage', access: readers('read rollups'), invalidStatus: 400,
    summary: 'Rollups re-bucketed by minute/hour/day/month (JSON, or CSV for Accept: text/csv)',
    query: z.object({
      server_id: z.string().optional(), customer: z.string().optional(), meter: z.string().optional(),
      from: instant.optional(), to: instant.optional(),
      granularity: z.enum(['minute', 'hour', 'day', 'month']).optional(),
    }),
    responses: { 200: '{"rollups":[…]} sorted by bucket, server, meter', 400: 'bad query parameter', ...AUTH },
  }),
  defineRoute({
    id: 'getAvailability', method: 'get', path: '/v1/availability', tag: 'usage', access: readers('read availability'), invalidStatus: 400,
    summary: "A server's HARD down intervals and availability percent in a billing period",
    query: z.object({ server_id: nonEmpty('server_id'), period }),
    responses: { 200: 'down intervals and availability', 400: 'bad query parameter', ...AUTH },
  }),
  defineRoute({
    id: 'listInvoices', method: 'get', path: '/v1/invoices', tag: 'invoices', access: readers('read invoices'), invalidStatus: 422,
    summary: 'Invoices (SPEC §9 form, with lines)',
    query: z.object({ customer: z.string().optional(), period: period.optional() }),
    responses: { 200: '{"invoices":[…]}', 422: 'bad query parameter', ...AUTH },
  }),
  defineRoute({
    id: 'finalizeInvoices', method: 'post', path: '/v1/invoices/finalize', tag: 'invoices', access: finance('finalize invoices'), invalidStatus: 422,
    summary: "Finalize a period's drafts (immutable afterwards)",
    query: z.object({ period, customer: z.string().optional() }),
    responses: { 200: '{"period","results":[{"customer","invoice","number","result"}]} in ascending customer id; numbers assigned now or before', 422: 'bad query parameter', ...AUTH, 409: 'the period has not ended' },
  }),
  defineRoute({
    id: 'whatIf', method: 'post', path: '/v1/what-if', tag: 'invoices', access: finance('compare catalogues'), invalidStatus: 422,
    summary: "A period's invoices under the current catalogue and under a proposed one (nothing is written)",
    query: z.object({ period, customer: z.string().optional() }),
    body: { contentTypes: ['application/yaml', 'text/yaml', 'application/json', 'text/plain'], description: 'the proposed catalogue, as a catalogue file' },
    responses: { 200: '{"period","current_catalog","proposed_catalog","customers":[{"customer","current","proposed","difference"}]}', 422: 'bad period or catalogue (every problem named)', ...AUTH },
  }),
  defineRoute({
    id: 'getInvoice', method: 'get', path: '/v1/invoices/:id', tag: 'invoices', access: readers('read invoices'), invalidStatus: 422,
    summary: 'One invoice (`number` set once final, null on drafts); `Accept: text/html` or `application/pdf`, or the id with `.pdf` appended, gives its printable document (SPEC §12.5)',
    params: z.object({ id: nonEmpty('id').describe('the invoice id; `<id>.pdf` answers the PDF') }), produces: DOCUMENT_TYPES,
    responses: { 200: 'the invoice (JSON), or its document (HTML, PDF; a final invoice\'s as it was issued, never changed by later edits of the customer or catalogue)', 404: 'no such invoice (or not this customer\'s)', ...AUTH },
  }),
  defineRoute({
    id: 'explainInvoiceLine', method: 'get', path: '/v1/invoices/:id/lines/:n/explain', tag: 'invoices', access: readers('read invoices'), invalidStatus: 422,
    summary: 'The rollups and source offsets behind an invoice line',
    params: z.object({ id: nonEmpty('id'), n: z.string().regex(/^[1-9]\d*$/, 'must be a line number from 1') }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional(), offset: z.coerce.number().int().min(0).optional() }),
    responses: { 200: 'the explanation', 404: 'no such invoice or line', 422: 'bad parameter', ...AUTH },
  }),
  defineRoute({
    id: 'createCreditNote', method: 'post', path: '/v1/invoices/:id/credit-notes', tag: 'invoices', access: finance('create credit notes'), invalidStatus: 422,
    summary: 'Credit a final invoice: a final credit note with its own number, tax recomputed (SPEC §12.4)',
    params: z.object({ id: nonEmpty('id') }),
    body: {
      contentTypes: ['application/json'],
      schema: z.union([
        z.object({ reason: nonEmpty('reason'), lines: z.array(z.object({ n: z.number().int().min(1), amount: money })).min(1), customer: z.string().optional() }).strict(),
        z.object({ reason: nonEmpty('reason'), full: z.literal(true), customer: z.string().optional() }).strict(),
      ]),
      description:
        'lines: the invoice lines to credit (n from 1) and the amount taken off each, at most what remains of it after earlier credit notes; ' +
        'only lines with a positive amount. full: credit everything that remains (discount and SLA credit lines included). customer: optional check of the owner.',
    },
    responses: { 201: 'the credit note (SPEC §12.4 form); Location names it', 404: 'no such invoice', 409: 'the invoice is a draft', 422: 'invalid field, unknown or over-credited line (named)', ...AUTH },
  }),
  defineRoute({
    id: 'listInvoiceCreditNotes', method: 'get', path: '/v1/invoices/:id/credit-notes', tag: 'invoices', access: readers('read credit notes'), invalidStatus: 422,
    summary: "An invoice's credit notes, oldest first", params: z.object({ id: nonEmpty('id') }),
    responses: { 200: '{"credit_notes":[…]}', 404: "no such invoice (or not this customer's)", ...AUTH },
  }),
  defineRoute({
    id: 'getCreditNote', method: 'get', path: '/v1/credit-notes/:id', tag: 'invoices', access: readers('read credit notes'), invalidStatus: 422,
    summary: 'One credit note (SPEC §12.4 form); `Accept: text/html` or `application/pdf`, or the id with `.pdf` appended, gives its printable document (SPEC §12.5)',
    params: z.object({ id: nonEmpty('id').describe('the credit note id; `<id>.pdf` answers the PDF') }), produces: DOCUMENT_TYPES,
    responses: { 200: 'the credit note (JSON), or its document (HTML, PDF, as it was issued)', 404: "no such credit note (or not this customer's)", ...AUTH },
  }),
  defineRoute({
    id: 'putCustomer', method: 'put', path: '/v1/customers/:id', tag: 'provisioning', access: finance('manage customers and subscriptions'),
    summary: 'Create or replace a customer (currency, contract, billing, tax, usage alerts)', params: z.object({ id: nonEmpty('id') }),
    body: {
      contentTypes: ['application/json'],
      schema: z.object({ currency: z.string().optional(), contract: contract.optional(), billing: billing.optional(), tax: customerTax.optional(), alerts: z.array(usageAlert).optional() }),
      description: 'validated like the catalogue file',
    },
    responses: { 200: 'replaced', 201: 'created', 422: 'invalid field (named)', ...AUTH },
  }),
  defineRoute({
    id: 'createSubscription', method: 'post', path: '/v1/subscriptions', tag: 'provisioning', access: finance('manage customers and subscriptions'),
    summary: 'Subscribe a server to a plan',
    body: {
      contentTypes: ['application/json'],
      schema: z.object({ server_id: z.string(), customer: z.string(), plan: z.string(), from: instant, to: instant.optional() }),
      description: 'validated like the catalogue file; no overlapping subscriptions of one server',
    },
    responses: { 200: 'the same subscription existed', 201: 'created', 409: 'overlaps another subscription or a final period', 422: 'invalid field (named)', ...AUTH },
  }),
  defineRoute({
    id: 'patchSubscription', method: 'patch', path: '/v1/subscriptions/:id', tag: 'provisioning', access: finance('manage customers and subscriptions'),
    summary: 'Set `to` (server returned or changing plan)', params: z.object({ id: nonEmpty('id') }),
    body: { contentTypes: ['application/json'], schema: z.object({ to: instant.nullable() }), description: 'the new end' },
    responses: { 200: 'updated', 404: 'no such subscription', 409: 'reaches into a final period or overlaps', 422: 'invalid field', ...AUTH },
  }),
  defineRoute({
    id: 'listSubscriptions', method: 'get', path: '/v1/subscriptions', tag: 'provisioning', access: finance('read subscriptions'),
    summary: 'Subscriptions by server and/or customer', query: z.object({ server_id: z.string().optional(), customer: z.string().optional() }),
    responses: { 200: '{"subscriptions":[…]}', ...AUTH },
  }),
  defineRoute({
    id: 'createWebhook', method: 'post', path: '/v1/webhooks', tag: 'webhooks', access: finance('manage webhooks'),
    summary: 'Register a webhook endpoint; the answer carries its signing secret, shown this once (SPEC §13)',
    body: {
      contentTypes: ['application/json'],
      schema: z.object({ url: z.string().describe('https URL resolving to public addresses (METERLINE_WEBHOOKS_ALLOW_PRIVATE=true also allows http and private ones)'), events: z.array(z.enum(['invoice.finalized', 'credit_note.created', 'usage.alert'])).min(1) }),
      description: 'Deliveries are Standard Webhooks: body {"type","timestamp","data"}, headers webhook-id, webhook-timestamp, webhook-signature (v1,<base64 HMAC-SHA256>); at most 16 KiB',
    },
    responses: { 201: '{id, url, events, created_at, secret}', 400: 'body is not JSON', ...AUTH, 413: 'body over 16 KiB', 422: 'refused URL, unknown event name or field (named)', 503: 'METERLINE_WEBHOOK_KEY is not set and NODE_ENV=production' },
  }),
  defineRoute({
    id: 'listWebhooks', method: 'get', path: '/v1/webhooks', tag: 'webhooks', access: finance('manage webhooks'),
    summary: 'Registered webhooks (never their secrets)', responses: { 200: '{"webhooks":[…]}', ...AUTH },
  }),
  defineRoute({
    id: 'deleteWebhook', method: 'delete', path: '/v1/webhooks/:id', tag: 'webhooks', access: finance('manage webhooks'), invalidStatus: 422,
    summary: 'Remove a webhook; its pending deliveries are cancelled', params: z.object({ id: nonEmpty('id') }),
    responses: { 204: 'removed', 404: 'no such webhook', ...AUTH },
  }),
  defineRoute({
    id: 'listWebhookDeliveries', method: 'get', path: '/v1/webhooks/:id/deliveries', tag: 'webhooks', access: finance('manage webhooks'), invalidStatus: 422,
    summary: "A webhook's deliveries, newest event first: status (pending, delivered, failed, cancelled), attempts, last response code",
    params: z.object({ id: nonEmpty('id') }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
    responses: { 200: '{"deliveries":[…]}', 404: 'no such webhook', 422: 'bad parameter', ...AUTH },
  }),
];

export const ALL_ROUTES: readonly RouteSpec[] = [...OPS_ROUTES, ...INGEST_ROUTES, ...API_ROUTES];
