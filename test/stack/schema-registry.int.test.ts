// Smoke test of the Schema Registry's Confluent-compatible API (Apicurio's /apis/ccompat/v7):
// register an Avro schema under a fresh subject, look it up by id and by content. Without a
// registry (METERLINE_SCHEMA_REGISTRY=false, or external services without one) the Config
// must say so, since producers then fall back to plain records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/env.js';

const registry = loadConfig().schemaRegistry;
const schema = JSON.stringify({
  type: 'record',
  name: 'Smoke',
  namespace: 'dev.meterline.test',
  fields: [{ name: 'id', type: 'string' }],
});

async function call(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${registry?.url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/vnd.schemaregistry.v1+json',
      accept: 'application/vnd.schemaregistry.v1+json, application/json',
    },
  });
  const body = await res.text();
  assert.ok(res.ok, `${init?.method ?? 'GET'} ${path}: HTTP ${res.status} ${body}`);
  return JSON.parse(body);
}

if (registry) {
  test('register an Avro schema, then find it by id and by content', async () => {
    const subject = `test.stack.${randomBytes(4).toString('hex')}-value`;
    const { id } = (await call(`/subjects/${subject}/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema, schemaType: 'AVRO' }),
    })) as { id: number };
    assert.equal(typeof id, 'number');
    const byId = (await call(`/schemas/ids/${id}`)) as { schema: string };
    assert.deepEqual(JSON.parse(byId.schema), JSON.parse(schema));
    const lookup = (await call(`/subjects/${subject}`, {
      method: 'POST',
      body: JSON.stringify({ schema }),
    })) as { id: number; version: number };
    assert.equal(lookup.id, id);
    assert.equal(lookup.version, 1);
    assert.ok(((await call('/subjects')) as string[]).includes(subject));
  });
} else {
  test('without SCHEMA_REGISTRY_URL the Config has no registry', () => {
    assert.equal(process.env.SCHEMA_REGISTRY_URL?.trim() || undefined, undefined);
  });
}
