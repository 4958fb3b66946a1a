// Text log lines on a terminal: a pino record reads as time, level, role, message, fields; the
// choice between text and JSON follows the terminal, METERLINE_LOG_FORMAT and NODE_ENV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRecord, wantsText } from '../../observability/log-text.js';

test('a record becomes one line: time (UTC), level, role, message, then key=value', () => {
  const rec = { level: 30, time: Date.parse('2026-12-04T19:05:20.123Z'), pid: 7, name: 'meterline', role: 'api', msg: 'listening', port: 8080, path: '/v1/x y' };
  assert.equal(formatRecord(JSON.stringify(rec), false), '19:05:20.123 INFO  api: listening port=8080 path="/v1/x y"');
});

test('errors show their message; a stack only from level error up; a non-JSON line passes through', () => {
  const warn = { level: 40, time: 0, msg: 'retrying', err: { message: 'boom', stack: 'Error: boom\n    at x' } };
  assert.equal(formatRecord(JSON.stringify(warn), false), '00:00:00.000 WARN  retrying err=boom');
  const error = { ...warn, level: 50 };
  assert.equal(formatRecord(JSON.stringify(error), false), '00:00:00.000 ERROR retrying err=boom\nError: boom\n    at x');
  assert.equal(formatRecord('plain text\n', false), 'plain text');
});

test('text on a terminal unless production or METERLINE_LOG_FORMAT=json; text forced by METERLINE_LOG_FORMAT=text', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  assert.equal(wantsText({}, tty), true);
  assert.equal(wantsText({}, pipe), false);
  assert.equal(wantsText({ NODE_ENV: 'production' }, tty), false);
  assert.equal(wantsText({ METERLINE_LOG_FORMAT: 'json' }, tty), false);
  assert.equal(wantsText({ METERLINE_LOG_FORMAT: 'text' }, pipe), true);
  assert.equal(wantsText({ METERLINE_LOG_FORMAT: 'text', NODE_ENV: 'production' }, pipe), false);
});
