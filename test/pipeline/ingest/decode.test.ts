import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, type Outcome } from '../../../pipeline/ingest/decode.js';
import { parseContentType } from '../../../pipeline/ingest/content-type.js';
import { parseJsonExact } from '../../../lib/json-exact.js';
import { parseSample } from '../../../pipeline/samples/parse.js';
import { fastSample } from '../../../pipeline/samples/fast-sample.js';

const NOW = Date.UTC(2026, 9, 10, 12, 0, 0);
const limits = { maxBatchSamples: 100, maxSampleAgeMs: 35 * 86_400_000, maxClockSkewMs: 5 * 60_000 };
const s = (id: string, ts: string | number = '2026-10-10T11:59:00Z', extra: Record<string, unknown> = {}) => ({
  id, server_id: 'srv-1', ts, metrics: { m: 1 }, ...extra,
});
const summary = (o: Outcome) => (o.ok ? `ok ${o.sample.id}` : `${o.index} ${o.code}: ${o.reason}`);
const run = (body: string | Buffer, format: Parameters<typeof decodeBody>[1] = 'json') => {
  const r = decodeBody(Buffer.isBuffer(body) ? body : Buffer.from(body), format, NOW, limits);
  return r.ok ? r.outcomes.map(summary) : `${r.status} ${r.reason}`;
};

test('the accepted window: 35 days back, 5 minutes ahead, inclusive at both ends', () => {
  const oldest = NOW - limits.maxSampleAgeMs; // 2026-09-05T12:00:00Z
  assert.deepEqual(run(JSON.stringify([s('a', oldest), s('b', oldest - 1), s('c', NOW + 300_000), s('d', NOW + 300_001)])), [
    'ok a',
    '1 window: ts 2026-09-05T11:59:59.999Z is older than METERLINE_MAX_SAMPLE_AGE (35d)',
    'ok c',
    '3 window: ts 2026-10-10T12:05:00.001Z is in the future by more than METERLINE_MAX_CLOCK_SKEW (5m)',
  ]);
});

test('each bad sample names its problem and index; good ones in the same batch pass', () => {
  const body = `[${JSON.stringify(s('a'))}, {"id":"b","server_id":"srv-1","ts":"2026-10-10T11:59:00Z","metrics":{"m":NaN}},
    ${JSON.stringify(s('c', '2026-10-10T11:59:00Z', { metrics: { m: 'Infinity' } }))}, ${JSON.stringify({ server_id: 'x', ts: NOW, metrics: { m: 1 } })},
    ${JSON.stringify(s('e', '2026-10-10T11:59:00Z', { metrics: { m: true } }))}, {"id": "f", oops}, ${JSON.stringify(s('g'))}]`;
  assert.deepEqual(run(body), [
    'ok a',
    '1 json: malformed JSON: NaN is not a JSON number (values must be finite numbers)',
    '2 invalid: metrics.m must be a finite number (got "Infinity")',
    '3 invalid: id is missing or not a non-empty string',
    '4 invalid: metrics.m must be a finite number (got true)',
    // {"id": "f", oops}: the o of oops is character 12
    '5 json: malformed JSON: unexpected "o" at position 12 (expected a property name)',
    'ok g',
  ]);
});

test('invalid UTF-8 is reported per sample with its byte offset', () => {
  const bad = Buffer.concat([Buffer.from('{"id":"b","server_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const body = Buffer.concat([Buffer.from(`${JSON.stringify(s('a'))}\n`), bad, Buffer.from('\n')]);
  // 0xc3 starts a two-byte sequence; 0x28 is not a continuation byte: invalid at offset 23.
  assert.deepEqual(run(body, 'ndjson'), ['ok a', '1 utf8: invalid UTF-8 at byte 23 of the sample']);
});

test('CloudEvents: structured is one event, batch is an array; both use subject/time/data', () => {
  const ev = (id: string) => ({ specversion: '1.0', id, source: 'agent', type: 'meterline.sample', subject: 'srv-9', time: '2026-10-10T11:59:00Z', data: { metrics: { m: '2' } } });
  assert.deepEqual(run(JSON.stringify(ev('e1')), 'cloudevent'), ['ok e1']);
  assert.match(String(run(JSON.stringify([ev('e1')]), 'cloudevent')), /^400 .*carries one event object/);
  assert.deepEqual(run(JSON.stringify([ev('e1'), { ...ev('e2'), specversion: '0.3' }]), 'cloudevents-batch'), [
    'ok e1', '1 invalid: specversion must be "1.0" (got "0.3")',
  ]);
  // A plain sample sent as a CloudEvent is rejected for what it lacks.
  assert.deepEqual(run(JSON.stringify([s('p')]), 'cloudevents-batch'), ['0 invalid: specversion must be "1.0" (got undefined)']);
});

test('a 64-bit counter value arrives exactly', () => {
  const r = decodeBody(Buffer.from('{"id":"a","server_id":"s","ts":"2026-10-10T11:59:00Z","metrics":{"net_tx_bytes":18446744073709551615}}'), 'json', NOW, limits);
  assert.ok(r.ok && r.outcomes[0]?.ok);
  assert.equal(r.outcomes[0].sample.metrics.net_tx_bytes, '18446744073709551615');
});

test('content types: accepted ones map to formats; others and non-UTF-8 charsets are named', () => {
  assert.deepEqual(parseContentType('application/json; charset=UTF-8'), { ok: true, format: 'json', mediaType: 'application/json' });
  assert.equal(parseContentType('Application/X-NDJSON').ok, true);
  assert.match(String(!parseContentType('text/plain').ok && (parseContentType('text/plain') as { reason: string }).reason), /"text\/plain" is not accepted/);
  assert.match(String((parseContentType('application/json; charset=latin1') as { reason: string }).reason), /charset "latin1"/);
  assert.match(String((parseContentType(undefined) as { reason: string }).reason), /Content-Type is missing/);
});

test('one sample over 256 KiB is rejected by itself (a Kafka record must fit the broker limit)', () => {
  const huge = JSON.stringify(s('h', '2026-10-10T11:59:00Z', { labels: { pad: 'x'.repeat(300_000) } }));
  const body = `[${huge},${JSON.stringify(s('ok'))}]`;
  assert.deepEqual(run(body), [`0 invalid: the sample is ${huge.length} bytes; at most 262144 per sample`, 'ok ok']);
});

test('numbers are read from their text in every format: 2^53 + 1 stays 9007199254740993 (issue 12.1)', () => {
  const values = (body: string, format: Parameters<typeof decodeBody>[1]) => {
    const r = decodeBody(Buffer.from(body), format, NOW, limits);
    assert.ok(r.ok);
    return r.outcomes.map((o) => (o.ok ? [o.sample.metrics.pkts, o.sample.intervalS, o.sample.tsMs] : o.reason));
  };
  // no "e" in any id: the old "may be inexact" guess only caught 17+ digits or an exponent
  const plain = `{"id":"a","server_id":"x-1","ts":${NOW - 60_000},"interval_s":9007199254740993,"metrics":{"pkts":9007199254740993}}`;
  const ce = `{"specversion":"1.0","id":"c","source":"a","type":"t","subject":"x-1","time":"2026-10-10T11:59:00Z","data":{"metrics":{"pkts":18446744073709551615}}}`;
  const want = ['9007199254740993', '9007199254740993', NOW - 60_000];
  assert.deepEqual(values(`[${plain}]`, 'json'), [want]);
  assert.deepEqual(values(plain, 'json'), [want]);
  assert.deepEqual(values(`${plain}\n${plain}`, 'ndjson'), [want, want]);
  assert.deepEqual(values(ce, 'cloudevent'), [['18446744073709551615', undefined, NOW - 60_000]]);
  assert.deepEqual(values(`[${ce}]`, 'cloudevents-batch'), [['18446744073709551615', undefined, NOW - 60_000]]);
});

test('a ts given as a JSON number must be whole epoch milliseconds, judged by its text', () => {
  const body = (ts: string) => `{"id":"a","server_id":"x","ts":${ts},"metrics":{"m":1}}`;
  // NOW − 60000 = 1791633540000 (2026-10-10T11:59:00Z); with a fraction JSON.parse would round it to a whole
  assert.deepEqual(run(body('1791633540000.0000000001')), ['0 invalid: ts in epoch milliseconds must be a whole number']);
  assert.deepEqual(run(body('1791633540000.000')), ['ok a']);
  assert.deepEqual(run(body('1.79163354e12')), ['ok a']);
  assert.deepEqual(run(body('1e400')), ['0 invalid: ts out of range']);
});

test('a JSON number where an object belongs is refused (a number is read as text, never as an object of its own)', () => {
  assert.deepEqual(run('[42]'), ['0 invalid: a sample must be a JSON object']);
  assert.deepEqual(run('{"id":"a","server_id":"x","ts":"2026-10-10T11:59:00Z","metrics":5}'), ['0 invalid: metrics must be an object of metric name to number']);
  assert.deepEqual(run('{"id":"a","server_id":"x","ts":"2026-10-10T11:59:00Z","metrics":{"m":1},"labels":7}'), ['0 invalid: labels must be an object of strings']);
});

test('the compact agent line (scanned by hand) gives the same sample as the general reader, and is still window-checked', () => {
  const lines = [
    // compact: the hand scanner answers these
    '{"id":"a1","server_id":"srv-1","ts":"2026-10-10T11:59:00Z","metrics":{"cpu":0.5,"net_tx_bytes":9007199254740993},"interval_s":60,"labels":{"dc":"fra"}}',
    '{"id":"a2","server_id":"srv-2","ts":"2026-10-10T11:58:30.250Z","metrics":{"mem_gb":-12.500}}',
    // not compact (space, exponent, escape): the general reader answers these
    '{"id":"a3", "server_id":"srv-3","ts":"2026-10-10T11:59:00Z","metrics":{"cpu":1}}',
    '{"id":"a4","server_id":"srv-4","ts":"2026-10-10T11:59:00Z","metrics":{"cpu":1e2}}',
    '{"id":"a\\u0035","server_id":"srv-5","ts":"2026-10-10T11:59:00Z","metrics":{"cpu":2}}',
  ];
  // Both kinds occur, or the test would not cover the branch it is about.
  assert.deepEqual(lines.map((l) => fastSample(l) !== undefined), [true, true, false, false, false]);
  const r = decodeBody(Buffer.from(lines.join('\n')), 'ndjson', NOW, limits);
  assert.ok(r.ok);
  for (const [k, line] of lines.entries()) {
    const full = parseSample(parseJsonExact(line));
    assert.ok(full.ok);
    const o = r.outcomes[k] as Outcome;
    assert.ok(o.ok, line);
    assert.deepEqual(o.ok && o.sample, full.sample, line);
  }
  // A compact line outside the accepted window is refused as the general path refuses it.
  const old = decodeBody(Buffer.from('{"id":"o1","server_id":"srv-9","ts":"2020-01-01T00:00:00Z","metrics":{"cpu":1}}'), 'ndjson', NOW, limits);
  assert.ok(old.ok);
  const o = old.outcomes[0] as Outcome;
  assert.equal(o.ok, false);
  assert.deepEqual(!o.ok && [o.code, o.id, o.serverId], ['window', 'o1', 'srv-9']);
});
