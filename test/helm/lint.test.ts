// `helm lint --strict` on the default values and with every optional feature on, the values
// schema refusing bad values by name, and the chart kept in step with the code and README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { VARIABLES } from '../../config/variables.js';
import { TOPICS } from '../../kafka/topics.js';
import { SINK_GROUP } from '../../sinks/role.js';
import { RATE_GROUP } from '../../invoicing/rate-role.js';
import { AGGREGATE_GROUP } from '../../pipeline/aggregate/role.js';
import { parseCatalog } from '../../catalog/load.js';
import { ALL_FEATURES, CHART, lint, templateRaw, type HelmArgs } from './chart.js';

test('helm lint --strict passes with the default values', async () => {
  const r = await lint();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

test('helm lint --strict passes with every optional feature on', async () => {
  const r = await lint({ values: [ALL_FEATURES] });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

// Each bad value must fail both lint and template, with a message naming the value's path.
const bad: [string, HelmArgs, RegExp][] = [
  ['replicas as a word', { setJson: { 'roles.sink.replicas': 'two' } }, /roles\/sink\/replicas/],
  ['negative replicas', { setJson: { 'roles.api.replicas': -1 } }, /roles\/api\/replicas/],
  ['an unknown role', { setJson: { 'roles.billing': { enabled: true, replicas: 1, resources: {} } } }, /roles.*billing/],
  ['a number where an env value must be a string', { setJson: { 'config.DATABASE_POOL_SIZE': 20 } }, /config\/DATABASE_POOL_SIZE/],
  ['a lower-case variable name', { setJson: { 'roles.ingest.env': { port: '9090' } } }, /roles\/ingest\/env/],
  ['an unknown KEDA SASL mode', { setJson: { 'keda.sasl': 'kerberos' } }, /keda\/sasl/],
  ['a KEDA trigger on an unknown topic key', { setJson: { 'roles.rate.keda.topic': 'invoices' } }, /roles\/rate\/keda\/topic/],
  ['a writable root filesystem', { setJson: { 'securityContext.readOnlyRootFilesystem': false } }, /securityContext\/readOnlyRootFilesystem/],
  ['a misspelt top-level value', { setJson: { serviceMonitors: { enabled: true } } }, /serviceMonitors/],
];

for (const [what, args, names] of bad) {
  test(`the values schema rejects ${what}`, async () => {
    const t = await templateRaw(args);
    assert.notEqual(t.code, 0, 'helm template must fail');
    assert.match(t.stderr, /values don't meet the specifications of the schema/);
    assert.match(t.stderr, names);
    const l = await lint(args);
    assert.notEqual(l.code, 0, 'helm lint must fail');
    assert.match(l.stdout + l.stderr, names);
  });
}

const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as {
  config: Record<string, string>;
  secrets: Record<string, { env: Record<string, unknown> }>;
  topics: Record<string, string>;
  catalog: { content: string };
  roles: Record<string, { keda?: { consumerGroup: string } }>;
};

test('every variable the chart sets is one the program reads (config/variables.ts)', () => {
  const known = new Set(VARIABLES.map((v) => v.name));
  const chartSets = ['PORT', 'METERLINE_CATALOG', 'KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'DATABASE_SSL_CA_FILE'];
  const names = [...Object.keys(values.config), ...Object.values(values.secrets).flatMap((g) => Object.keys(g.env)), ...chartSets];
  assert.deepEqual(names.filter((n) => !known.has(n)), []);
});

test("the chart's topic names and consumer groups are the ones the roles use", () => {
  assert.deepEqual(values.topics, { ...TOPICS });
  assert.equal(values.roles.aggregate?.keda?.consumerGroup, AGGREGATE_GROUP);
  assert.equal(values.roles.sink?.keda?.consumerGroup, SINK_GROUP);
  assert.equal(values.roles.rate?.keda?.consumerGroup, RATE_GROUP);
});

test("the chart's default catalogue is one the roles accept", () => {
  const catalog = parseCatalog(values.catalog.content, 'values.yaml catalog.content');
  assert.equal(catalog.currency, 'USD');
  assert.ok(catalog.meters.running_hours);
});

test('the chart README documents every value', () => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  // Roles share one set of keys, documented once as roles.<name>.…
  const paths = [...new Set(leafPaths(values).map((p) => p.replace(/^roles\.\w+\./, 'roles.<name>.')))];
  const missing = paths.filter((p) => !readme.includes(`\`${p}\``));
  assert.deepEqual(missing, []);
});

/**
 * Dotted paths the README must name: every key down to the leaves, except inside maps whose
 * keys are data (env maps, resources, the catalogue) — those are documented as a whole.
 */
function leafPaths(v: unknown, prefix = ''): string[] {
  const wholeMaps = /^(config|roles\.\w+\.(env|resources)|secrets\.\w+\.env|migrations\.resources|probes\.\w+|podSecurityContext|securityContext)$/;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || wholeMaps.test(prefix)) return prefix ? [prefix] : [];
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [prefix] : [];
  return entries.flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
}
