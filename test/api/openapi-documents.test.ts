// /openapi.json names the document forms of an invoice and a credit note (SPEC §12.5): the 200
// answer in JSON, HTML and PDF, and the `.pdf` suffix on the id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_ROUTES, openApiDocument } from '../../api/openapi/index.js';

interface Op {
  summary: string;
  parameters?: Array<{ name: string; description?: string }>;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

test('invoice and credit-note reads list application/json, text/html and application/pdf; other routes only describe', () => {
  const doc = openApiDocument(ALL_ROUTES, { version: 'test' }) as { paths: Record<string, Record<string, Op>> };
  for (const path of ['/v1/invoices/{id}', '/v1/credit-notes/{id}']) {
    const op = doc.paths[path]!.get!;
    assert.deepEqual(Object.keys(op.responses['200']!.content ?? {}), ['application/json', 'text/html', 'application/pdf'], path);
    assert.match(op.parameters!.find((p) => p.name === 'id')!.description ?? '', /\.pdf/, `${path}: the .pdf suffix is documented`);
  }
  assert.equal(doc.paths['/v1/invoices']!.get!.responses['200']!.content, undefined);
});
