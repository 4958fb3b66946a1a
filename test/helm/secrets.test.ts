// Secret variables: from a chart-made Secret when given by value, from the named Secret when
// `existingSecret` is set (and then the chart makes none), never as plain env values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FEATURES, containers, ofKind, render, type K8sObject } from './chart.js';

const SECRET_VARS = [
  'DATABASE_URL',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'REDIS_URL',
  'SCHEMA_REGISTRY_URL',
  'SCHEMA_REGISTRY_USERNAME',
  'SCHEMA_REGISTRY_PASSWORD',
];

const refsOf = (objs: K8sObject[]) =>
  [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'Job')].flatMap((w) =>
    containers(w).flatMap((c) => (c.env ?? []).map((e) => ({ where: `${w.kind}/${w.metadata.name}`, ...e }))),
  );

test('values given: one chart-made Secret holds them; the roles reference it, never a plain value', async () => {
  const objs = await render({ values: [ALL_FEATURES] });
  const regular = ofKind(objs, 'Secret').filter((s) => s.metadata.annotations?.['helm.sh/hook'] === undefined);
  assert.equal(regular.length, 1);
  const secret = regular[0]!;
  const decoded = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  // Values from all-features-values.yaml; redis uses an existing Secret, so it is not here.
  assert.deepEqual(decoded, {
    'database-url': 'postgres://meterline:secret@timescale:5432/meterline',
    'kafka-sasl-username': 'meterline',
    'kafka-sasl-password': 'kafka-secret',
    'schema-registry-url': 'https://registry:8081',
    'schema-registry-username': 'meterline',
    'schema-registry-password': 'registry-secret',
  });
  for (const r of refsOf(objs).filter((e) => SECRET_VARS.includes(e.name))) {
    assert.equal(r.value, undefined, `${r.where} ${r.name} must not be a plain value`);
    const ref = r.valueFrom?.secretKeyRef;
    if (r.name === 'REDIS_URL') assert.deepEqual(ref, { name: 'redis-credentials', key: 'url' }, r.where);
    else if (r.where.startsWith('Deployment/')) assert.equal(ref?.name, secret.metadata.name, `${r.where} ${r.name}`);
  }
});

test('the migration Job reads a hook Secret made before it (the release Secret does not exist at pre-install)', async () => {
  const objs = await render({ values: [ALL_FEATURES] });
  const hookSecret = ofKind(objs, 'Secret').find((s) => s.metadata.annotations?.['helm.sh/hook'] !== undefined);
  const [job] = ofKind(objs, 'Job');
  assert.ok(hookSecret && job);
  assert.equal(hookSecret.metadata.annotations?.['helm.sh/hook'], job.metadata.annotations?.['helm.sh/hook']);
  assert.ok(Number(hookSecret.metadata.annotations?.['helm.sh/hook-weight']) < Number(job.metadata.annotations?.['helm.sh/hook-weight']));
  const db = refsOf([job]).find((e) => e.name === 'DATABASE_URL');
  assert.equal(db?.valueFrom?.secretKeyRef?.name, hookSecret.metadata.name);
  assert.ok(hookSecret.data?.[db?.valueFrom?.secretKeyRef?.key ?? '']);
});

test('existingSecret everywhere: no chart-made Secret, and every reference names the given Secret', async () => {
  const existing = {
    database: 'pg-app',
    kafka: 'kafka-user',
    redis: 'redis-auth',
    schemaRegistry: 'registry-auth',
  };
  const setJson: Record<string, unknown> = {};
  for (const [group, name] of Object.entries(existing)) setJson[`secrets.${group}.existingSecret`] = name;
  const objs = await render({ values: [ALL_FEATURES], setJson });
  assert.deepEqual(ofKind(objs, 'Secret').map((s) => s.metadata.name), []);
  const want: Record<string, string> = {
    DATABASE_URL: 'pg-app',
    KAFKA_SASL_USERNAME: 'kafka-user',
    KAFKA_SASL_PASSWORD: 'kafka-user',
    REDIS_URL: 'redis-auth',
    SCHEMA_REGISTRY_URL: 'registry-auth',
    SCHEMA_REGISTRY_USERNAME: 'registry-auth',
    SCHEMA_REGISTRY_PASSWORD: 'registry-auth',
  };
  const refs = refsOf(objs).filter((e) => e.valueFrom?.secretKeyRef);
  // Every role and the Job get every secret variable, from the Secret of its group.
  assert.equal(refs.length, 6 * SECRET_VARS.length);
  for (const r of refs) assert.equal(r.valueFrom?.secretKeyRef?.name, want[r.name], `${r.where} ${r.name}`);
  // KEDA's lag check authenticates with the same Kafka Secret.
  const [auth] = ofKind(objs, 'TriggerAuthentication');
  for (const t of (auth?.spec?.secretTargetRef ?? []) as { name: string }[]) assert.equal(t.name, 'kafka-user');
});

test('defaults: no secret values, so no Secret and no secret references (the variables keep their defaults)', async () => {
  const objs = await render();
  assert.equal(ofKind(objs, 'Secret').length, 0);
  assert.deepEqual(refsOf(objs).filter((e) => e.valueFrom), []);
});

test('changing the catalogue or a secret value changes the pod annotations, so pods roll', async () => {
  const base = await render({ values: [ALL_FEATURES] });
  const cat = await render({ values: [ALL_FEATURES], setJson: { 'catalog.content': 'currency: EUR\ntimezone: UTC\n' } });
  const sec = await render({ values: [ALL_FEATURES], setJson: { 'secrets.database.env.DATABASE_URL.value': 'postgres://other' } });
  const ann = (objs: K8sObject[]) => JSON.stringify(ofKind(objs, 'Deployment').map((d) => (d.spec?.template as { metadata: unknown }).metadata));
  assert.notEqual(ann(cat), ann(base));
  assert.notEqual(ann(sec), ann(base));
});
