// The OpenAPI 3.1 document, generated from the RouteSpecs (the same objects that guard and
// validate each route), never written by hand. zod 4 turns each schema into JSON Schema.
import { z } from 'zod';
import type { RouteSpec } from './spec.js';

type Json = Record<string, unknown>;

/** `/v1/invoices/:id` → `/v1/invoices/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: rest,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  }
  return out;
}

function operation(spec: RouteSpec): Json {
  const op: Json = {
    operationId: spec.id,
    summary: spec.summary,
    tags: [spec.tag],
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([code, description]) => [
        code,
        code === '200' && spec.produces ? { description, content: Object.fromEntries(spec.produces.map((t) => [t, {}])) } : { description },
      ]),
    ),
  };
  const params = parameters(spec);
  if (params.length > 0) op.parameters = params;
  if (spec.body) {
    const schema = spec.body.schema ? jsonSchema(spec.body.schema) : { type: 'string' };
    op.requestBody = {
      required: true,
      description: spec.body.description,
      content: Object.fromEntries(spec.body.contentTypes.map((t) => [t, { schema }])),
    };
  }
  if (spec.access.public === true) op.security = [];
  else {
    op.security = [{ apiKey: [] }];
    op['x-meterline-roles'] = [...spec.access.roles];
    if (spec.access.confined) op['x-meterline-customer-confined'] = true;
  }
  return op;
}

export function openApiDocument(specs: readonly RouteSpec[], info: { title?: string; version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of specs) {
    const p = (paths[openApiPath(spec.path)] ??= {});
    p[spec.method] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'meterline',
      version: info.version,
      description:
        'Usage metering and rating. Send `Authorization: Bearer <key>`: agent keys write samples and Nagios input; ' +
        "finance keys read everything and manage customers, subscriptions and finalization; customer keys read only their own customer's data.",
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'a meterline API key (meterline keys create)' } } },
    paths,
  };
}
