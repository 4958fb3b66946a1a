// Which form GET /v1/invoices/:id answers (api/routes/documents.ts): the .pdf suffix, else the
// Accept header with its q-values; JSON unless HTML or PDF is preferred.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { requestedDocument } from '../../api/routes/documents.js';

const app = new Hono().get('/x/:id', (c) => c.json(requestedDocument(c, c.req.param('id'))));
const ask = async (id: string, accept?: string) =>
  (await (await app.request(`/x/${id}`, accept === undefined ? {} : { headers: { accept } })).json()) as { id: string; format: string };

test('the .pdf suffix asks for the PDF whatever Accept says; the id is the rest', async () => {
  assert.deepEqual(await ask('inv-2026-10-ab.pdf'), { id: 'inv-2026-10-ab', format: 'pdf' });
  assert.deepEqual(await ask('inv-2026-10-ab.pdf', 'text/html'), { id: 'inv-2026-10-ab', format: 'pdf' });
  assert.deepEqual(await ask('.pdf'), { id: '.pdf', format: 'json' }, 'a bare ".pdf" is an id, not a suffix');
});

test('Accept decides otherwise, by q-value; anything unknown or a wildcard stays JSON', async () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/html', 'html'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'], // a browser
    ['application/pdf', 'pdf'],
    ['application/pdf;q=0.9, text/html;q=0.8', 'pdf'],
    ['text/html;q=0.5, application/json', 'json'],
    ['image/png', 'json'],
  ];
  for (const [accept, format] of cases) assert.equal((await ask('inv-1', accept)).format, format, `Accept: ${accept}`);
});
