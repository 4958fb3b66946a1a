// The parse workers' hand-over format gives back exactly what parseLine produced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../rating/embedded/parse-line.js';
import { decodeBatch, encodeBatch } from '../../rating/embedded/wire.js';

test('wire: samples (labels, interval_s, CloudEvents), rejections, blank and array lines round-trip', () => {
  const lines = [
    '{"id":"a","server_id":"s1","ts":"2026-10-01T00:00:00.123Z","interval_s":300,"metrics":{"x":1.5,"y":"12345678901234567890.000000001"},"labels":{"dc":"fra1","rack":"7"}}',
    '',
    '{"id":"b","server_id":"s2","ts":1790812800000,"metrics":{"x":0}}',
    'not json',
    '{"id":"c","server_id":"s1","metrics":{"x":1}}',
    JSON.stringify([{ id: 'd', server_id: 's1', ts: '2026-10-02T00:00:00Z', metrics: { x: 2 } }, { id: 'e' }]),
    JSON.stringify({ specversion: '1.0', id: 'f', source: 'a', type: 't', subject: 's3', time: '2026-10-03T00:00:00+02:00', data: { metrics: { z: 3 }, interval_s: 60 } }),
    '   ',
  ];
  const direct = lines.map(parseLine);
  const intern = new Map<string, string>();
  const decoded = decodeBatch(structuredClone(encodeBatch(direct)), intern);
  assert.deepEqual(decoded, direct);
  // the first line's sample, spelled out (the expectation does not come from parseLine alone)
  assert.deepEqual(decoded[0], {
    id: 'a', serverId: 's1', tsMs: Date.parse('2026-10-01T00:00:00.123Z'), intervalS: '300',
    metrics: { x: '1.5', y: '12345678901234567890.000000001' }, labels: { dc: 'fra1', rack: '7' },
  });
  assert.equal(decoded[1], undefined);
  assert.match((decoded[3] as { reason: string }).reason, /^not JSON/);
  // server ids and metric names are interned across batches
  assert.ok(intern.has('s1') && intern.has('x'));
});
