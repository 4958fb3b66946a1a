// Property-based fuzzing of the Nagios line reader (perfdata-file lines, nagios.log lines,
// Statusengine JSON) and of bill's line reader: any text — random, or a valid line damaged —
// gives a sample, a state, "ignored" or an error with a reason; it never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNagiosLine } from '../../nagios/lines.js';
import { isRejection, parseLine } from '../../rating/embedded/parse-line.js';

const HOSTS = { web01: 'srv-1' };
const VALID = [
  "DATATYPE::SERVICEPERFDATA\tTIMET::1790812800\tHOSTNAME::web01\tSERVICEDESC::net\tSERVICEPERFDATA::'rx bytes'=9007199254740993c;;;0; tx=1,5KB;80:;~:90;0;100 load=U",
  'DATATYPE::HOSTPERFDATA\tTIMET::1790812800\tHOSTNAME::web01\tHOSTPERFDATA::rta=0.5ms;100;200;0 pl=0%;20;60;;',
  '[1790812800] HOST ALERT: web01;DOWN;HARD;3;PING CRITICAL',
  '[1790812800] CURRENT HOST STATE: web01;UP;HARD;1;PING OK',
  '{"timestamp":1790812800,"statechange":{"host_name":"web01","service_description":"","state":1,"state_type":1}}',
  '{"hostname":"web01","state_time":1790812800,"state":"DOWN","is_hardstate":true}',
];
const PUNCT = fc.constantFrom('\t', '::', ';', '=', "'", "''", '"', '{', '}', '[', ']', ',', ':', 'U', 'e999', '9007199254740993', '-', '~', '@', '%', 'KB', ' ');

/** A valid line with a few pieces inserted or cut. */
const damaged = (valid: string[]) =>
  fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.oneof(PUNCT, fc.string({ maxLength: 4 })), fc.nat({ max: 4 })), { maxLength: 4 })).map(([line, edits]) => {
    let s = line;
    for (const [at, insert, cut] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + insert + s.slice(i + cut);
    }
    return s;
  });

test('fuzz: the Nagios reader never throws; errors carry a reason', () => {
  fc.assert(
    fc.property(fc.oneof(damaged(VALID), fc.string({ maxLength: 80 })), (line) => {
      const r = parseNagiosLine(line, HOSTS);
      assert.ok(['sample', 'state', 'ignored', 'error'].includes(r.kind));
      if (r.kind === 'error') assert.ok(r.reason.length > 0);
    }),
    { numRuns: 1000 },
  );
});

test('fuzz: bill\'s line reader never throws; rejections carry a reason', () => {
  const valid = [
    '{"id":"a","server_id":"s","ts":"2026-10-01T00:00:00Z","interval_s":60,"metrics":{"x":9007199254740993,"y":1.5e-3},"labels":{"dc":"fra1"}}',
    '{"specversion":"1.0","id":"c","source":"a","type":"t","subject":"s","time":"2026-10-01T00:00:00Z","data":{"metrics":{"x":1}}}',
    '[{"id":"a","server_id":"s","ts":1790812800000,"metrics":{"x":"12.50"}}]',
  ];
  fc.assert(
    fc.property(fc.oneof(damaged(valid), fc.string({ maxLength: 80 })), (line) => {
      const r = parseLine(line);
      for (const item of r === undefined ? [] : Array.isArray(r) ? r : [r]) if (isRejection(item)) assert.ok(item.reason.length > 0);
    }),
    { numRuns: 1000 },
  );
});
