// dashboards/meterline.json is built on the metric catalogue: every series it queries exists
// in observability/metrics.ts (a renamed metric would leave a silently empty panel), and
// every metric of the catalogue is on the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../../observability/metrics.js';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(new URL('../../dashboards/meterline.json', import.meta.url), 'utf8')) as { panels: Panel[]; uid: string };

async function exported(): Promise<Set<string>> {
  const m = createMetrics();
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

const queried = (): Set<string> => {
  const out = new Set<string>();
  for (const p of dashboard.panels) for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/\bmeterline_[a-z0-9_]+/g)) out.add(m[0]);
  return out;
};

test('every series the dashboard queries is one the roles export', async () => {
  const names = await exported();
  assert.deepEqual([...queried()].filter((q) => !names.has(q)), []);
});

test('every metric of the catalogue is on the dashboard', async () => {
  const m = createMetrics();
  const catalogue = (await m.registry.getMetricsAsJSON()).map((x) => x.name).filter((n) => !n.startsWith('meterline_process_'));
  const q = [...queried()].join(' ');
  assert.deepEqual(catalogue.filter((n) => !q.includes(n)), []);
});

test('panels the issue asks for are there', () => {
  const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
  for (const want of ['consumer lag', 'watermark delay', 'ingest rate', 'late', 'dlq', 'sink rows', 'sink batch latency', 'recompute latency']) {
    assert.ok(titles.includes(want), want);
  }
});
