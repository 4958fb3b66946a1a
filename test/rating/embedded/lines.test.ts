import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches } from '../../../rating/embedded/lines.js';

async function collect(text: string): Promise<{ firstLine: number; lines: string[] }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lines-'));
  try {
    const file = join(dir, 'events');
    writeFileSync(file, text);
    const out = [];
    for await (const b of readLineBatches(file, process.stdin, { jsonArrays: true })) out.push({ firstLine: b.firstLine, lines: b.lines });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('NDJSON is read line by line, numbered from 1, CRLF tolerated', async () => {
  const batches = await collect('{"a":1}\r\n{"b":2}\n{"c":3}');
  assert.deepEqual(batches.flatMap((b) => b.lines), ['{"a":1}', '{"b":2}', '{"c":3}']);
  assert.equal(batches[0]!.firstLine, 1);
});

test('a one-line JSON array stays an ordinary line', async () => {
  const batches = await collect('[{"a":1},{"b":2}]\n{"c":3}\n');
  assert.deepEqual(batches.flatMap((b) => b.lines), ['[{"a":1},{"b":2}]', '{"c":3}']);
});

test('a pretty-printed JSON array is handed on whole, as one document', async () => {
  const text = '[\n  {"a": 1},\n  {"b":\n 2}\n]\n';
  const batches = await collect(text);
  assert.equal(batches.length, 1);
  assert.deepEqual(JSON.parse(batches[0]!.lines[0]!), [{ a: 1 }, { b: 2 }]);
});

test('a Nagios log line starting with [epoch] is never taken for a JSON array', async () => {
  const text = '[1791194400] HOST ALERT: web01;DOWN;HARD;3;PING CRITICAL\n[1791198000] HOST ALERT: web01;UP;HARD;1;OK\n';
  const batches = await collect(text);
  assert.deepEqual(batches.flatMap((b) => b.lines), text.trim().split('\n'));
});
