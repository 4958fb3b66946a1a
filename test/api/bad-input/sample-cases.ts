// Bad samples for POST /v1/samples (SPEC §2, §4, §8): each is one sample's JSON text and what
// the answer must say about it — the rejection class and a reason naming the field. Written
// from the spec (what must be refused and why), not from the product's output.

export interface BadSample {
  name: string;
  /** The sample's JSON text (or not-JSON text). */
  text: string;
  code: 'json' | 'invalid' | 'window' | 'utf8';
  reason: RegExp;
  /** A CloudEvent (sent as application/cloudevents-batch+json); else a SPEC §2 object. */
  cloudevent?: boolean;
}

/** NOW of the corpus app: 2026-10-10T12:00:00Z; a good sample is one minute old. */
export const NOW_ISO = '2026-10-10T12:00:00Z';
const TS = '"2026-10-10T11:59:00Z"';

/** A §2 sample with one field replaced (`undefined` drops it), as JSON text. */
function s(fields: Record<string, string | undefined>): string {
  const base: Record<string, string | undefined> = { id: '"bad"', server_id: '"srv-1"', ts: TS, metrics: '{"http_requests":1}', ...fields };
  return `{${Object.entries(base).filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

/** A CloudEvent with one field replaced. */
function ce(fields: Record<string, string | undefined>): string {
  const base: Record<string, string | undefined> = {
    specversion: '"1.0"', id: '"bad-ce"', source: '"agent"', type: '"sample"', subject: '"srv-1"', time: TS, data: '{"metrics":{"http_requests":1}}', ...fields,
  };
  return `{${Object.entries(base).filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

const metric = (v: string) => s({ metrics: `{"http_requests":${v}}` });

export const BAD_SAMPLES: BadSample[] = [
  // id (SPEC §2: unique per sample, the idempotency key)
  { name: 'id missing', text: s({ id: undefined }), code: 'invalid', reason: /\bid\b.*missing/ },
  { name: 'id a number', text: s({ id: '17' }), code: 'invalid', reason: /\bid\b/ },
  { name: 'id empty', text: s({ id: '""' }), code: 'invalid', reason: /\bid\b/ },
  { name: 'id null', text: s({ id: 'null' }), code: 'invalid', reason: /\bid\b/ },
  { name: 'id an object', text: s({ id: '{"a":1}' }), code: 'invalid', reason: /\bid\b/ },
  { name: 'id of 257 characters', text: s({ id: `"${'x'.repeat(257)}"` }), code: 'invalid', reason: /\bid\b.*longer than 256/ },
  // server_id
  { name: 'server_id missing', text: s({ server_id: undefined }), code: 'invalid', reason: /server_id/ },
  { name: 'server_id a number', text: s({ server_id: '1' }), code: 'invalid', reason: /server_id/ },
  { name: 'server_id empty', text: s({ server_id: '""' }), code: 'invalid', reason: /server_id/ },
  { name: 'server_id a list', text: s({ server_id: '["srv-1"]' }), code: 'invalid', reason: /server_id/ },
  { name: 'server_id of 257 characters', text: s({ server_id: `"${'s'.repeat(257)}"` }), code: 'invalid', reason: /server_id.*longer than 256/ },
  // ts (RFC 3339 or epoch milliseconds; within the accepted window)
  { name: 'ts missing', text: s({ ts: undefined }), code: 'invalid', reason: /\bts\b.*missing/ },
  { name: 'ts a date only', text: s({ ts: '"2026-10-10"' }), code: 'invalid', reason: /\bts\b.*RFC 3339/ },
  { name: 'ts without offset', text: s({ ts: '"2026-10-10T11:59:00"' }), code: 'invalid', reason: /\bts\b.*RFC 3339/ },
  { name: 'ts month 13', text: s({ ts: '"2026-13-10T11:59:00Z"' }), code: 'invalid', reason: /\bts\b/ },
  { name: 'ts 31 September', text: s({ ts: '"2026-09-31T11:59:00Z"' }), code: 'invalid', reason: /\bts\b.*(real date|out of range)/ },
  { name: 'ts hour 24', text: s({ ts: '"2026-10-10T24:00:00Z"' }), code: 'invalid', reason: /\bts\b/ },
  { name: 'ts offset +25:00', text: s({ ts: '"2026-10-10T11:59:00+25:00"' }), code: 'invalid', reason: /\bts\b.*offset/ },
  { name: 'ts words', text: s({ ts: '"yesterday"' }), code: 'invalid', reason: /\bts\b/ },
  { name: 'ts a boolean', text: s({ ts: 'true' }), code: 'invalid', reason: /\bts\b/ },
  { name: 'ts epoch ms with a fraction', text: s({ ts: '1791633540000.5' }), code: 'invalid', reason: /\bts\b.*whole number/ },
  { name: 'ts negative epoch', text: s({ ts: '-1' }), code: 'invalid', reason: /\bts\b.*range/ },
  { name: 'ts beyond year 9999', text: s({ ts: '253402300800000' }), code: 'invalid', reason: /\bts\b.*range/ },
  { name: 'ts 1e400', text: s({ ts: '1e400' }), code: 'invalid', reason: /\bts\b.*range/ },
  { name: 'ts older than 35 days', text: s({ ts: '"2026-09-01T00:00:00Z"' }), code: 'window', reason: /older than METERLINE_MAX_SAMPLE_AGE/ },
  { name: 'ts in a year', text: s({ ts: '"2027-10-10T12:00:00Z"' }), code: 'window', reason: /future.*METERLINE_MAX_CLOCK_SKEW/ },
  { name: 'ts 6 minutes ahead', text: s({ ts: '"2026-10-10T12:06:00Z"' }), code: 'window', reason: /future.*METERLINE_MAX_CLOCK_SKEW/ },
  // metrics
  { name: 'metrics missing', text: s({ metrics: undefined }), code: 'invalid', reason: /metrics/ },
  { name: 'metrics empty', text: s({ metrics: '{}' }), code: 'invalid', reason: /metrics.*empty/ },
  { name: 'metrics a list', text: s({ metrics: '[1,2]' }), code: 'invalid', reason: /metrics must be an object/ },
  { name: 'metrics a number', text: s({ metrics: '5' }), code: 'invalid', reason: /metrics must be an object/ },
  { name: 'metrics null', text: s({ metrics: 'null' }), code: 'invalid', reason: /metrics must be an object/ },
  { name: 'metric a word', text: metric('"lots"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric true', text: metric('true'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric null', text: metric('null'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric an object', text: metric('{"v":1}'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric a list', text: metric('[1]'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric "NaN"', text: metric('"NaN"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric "Infinity"', text: metric('"Infinity"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric "1,5" (comma)', text: metric('"1,5"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric "0x10"', text: metric('"0x10"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric exponent beyond 10000', text: metric('1e10001'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric string exponent beyond 10000', text: metric('"1e-10001"'), code: 'invalid', reason: /metrics\.http_requests must be a finite number/ },
  { name: 'metric bare NaN', text: metric('NaN'), code: 'json', reason: /NaN is not a JSON number/ },
  { name: 'metric bare Infinity', text: metric('Infinity'), code: 'json', reason: /Infinity is not a JSON number/ },
  { name: 'metric bare -Infinity', text: metric('-Infinity'), code: 'json', reason: /-Infinity is not a JSON number/ },
  { name: 'metric with a leading zero', text: metric('007'), code: 'json', reason: /malformed JSON.*position/ },
  { name: 'metric with a trailing dot', text: metric('1.'), code: 'json', reason: /malformed JSON.*position/ },
  { name: 'metric with a plus sign', text: metric('+1'), code: 'json', reason: /malformed JSON.*position/ },
  { name: 'metric name empty', text: s({ metrics: '{"":1}' }), code: 'invalid', reason: /metric name "" is empty or too long/ },
  { name: 'metric name of 201 characters', text: s({ metrics: `{"${'m'.repeat(201)}":1}` }), code: 'invalid', reason: /metric name .* is empty or too long/ },
  { name: '257 metrics', text: s({ metrics: `{${Array.from({ length: 257 }, (_, i) => `"m${i}":1`).join(',')}}` }), code: 'invalid', reason: /metrics has more than 256 entries/ },
  // interval_s
  { name: 'interval_s zero', text: s({ interval_s: '0' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  { name: 'interval_s negative', text: s({ interval_s: '-60' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  { name: 'interval_s a word', text: s({ interval_s: '"minute"' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  { name: 'interval_s true', text: s({ interval_s: 'true' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  { name: 'interval_s "-0.0"', text: s({ interval_s: '"-0.0"' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  { name: 'interval_s a list', text: s({ interval_s: '[60]' }), code: 'invalid', reason: /interval_s must be a positive number/ },
  // labels
  { name: 'labels a list', text: s({ labels: '["fra1"]' }), code: 'invalid', reason: /labels must be an object/ },
  { name: 'labels a string', text: s({ labels: '"dc=fra1"' }), code: 'invalid', reason: /labels must be an object/ },
  { name: 'label value a number', text: s({ labels: '{"rack":7}' }), code: 'invalid', reason: /labels\.rack must be a string/ },
  { name: 'label value null', text: s({ labels: '{"dc":null}' }), code: 'invalid', reason: /labels\.dc must be a string/ },
  // not a sample at all
  { name: 'a number', text: '42', code: 'invalid', reason: /must be a JSON object/ },
  { name: 'a string', text: '"sample"', code: 'invalid', reason: /must be a JSON object/ },
  { name: 'null', text: 'null', code: 'invalid', reason: /must be a JSON object/ },
  { name: 'a nested array', text: '[{"id":"x"}]', code: 'invalid', reason: /must be a JSON object/ },
  { name: 'unterminated object', text: '{"id":"bad","server_id":"srv-1"', code: 'json', reason: /malformed JSON.*end of JSON input/ },
  { name: 'unquoted key', text: '{id:"bad"}', code: 'json', reason: /malformed JSON.*position 1/ },
  { name: 'single quotes', text: "{'id':'bad'}", code: 'json', reason: /malformed JSON.*position 1/ },
  { name: 'trailing comma', text: '{"id":"bad",}', code: 'json', reason: /malformed JSON.*position 12/ },
  { name: 'a raw tab in a string', text: s({ id: '"a\tb"' }), code: 'json', reason: /malformed JSON.*control character/ },
  { name: 'a bad escape', text: s({ id: '"a\\qb"' }), code: 'json', reason: /malformed JSON.*bad escape/ },
  { name: 'a short \\u escape', text: s({ id: '"\\u12"' }), code: 'json', reason: /malformed JSON.*\\u escape/ },
  { name: 'nested 300 deep', text: s({ labels: `${'['.repeat(300)}${']'.repeat(300)}` }), code: 'json', reason: /malformed JSON.*nested deeper than 256/ },
  // CloudEvents (SPEC §2: id, subject = server_id, time, data = {metrics, interval_s, labels})
  { name: 'CloudEvent specversion 0.3', text: ce({ specversion: '"0.3"' }), code: 'invalid', reason: /specversion must be "1.0"/, cloudevent: true },
  { name: 'CloudEvent specversion missing', text: ce({ specversion: undefined }), code: 'invalid', reason: /specversion must be "1.0"/, cloudevent: true },
  { name: 'CloudEvent subject missing', text: ce({ subject: undefined }), code: 'invalid', reason: /subject/, cloudevent: true },
  { name: 'CloudEvent subject a number', text: ce({ subject: '5' }), code: 'invalid', reason: /subject/, cloudevent: true },
  { name: 'CloudEvent time missing', text: ce({ time: undefined }), code: 'invalid', reason: /\btime\b.*missing/, cloudevent: true },
  { name: 'CloudEvent time not RFC 3339', text: ce({ time: '"10/10/2026"' }), code: 'invalid', reason: /\btime\b.*RFC 3339/, cloudevent: true },
  { name: 'CloudEvent id missing', text: ce({ id: undefined }), code: 'invalid', reason: /\bid\b/, cloudevent: true },
  { name: 'CloudEvent data missing', text: ce({ data: undefined }), code: 'invalid', reason: /\bdata\b/, cloudevent: true },
  { name: 'CloudEvent data a string', text: ce({ data: '"m=1"' }), code: 'invalid', reason: /\bdata\b/, cloudevent: true },
  { name: 'CloudEvent data_base64', text: ce({ data: undefined, data_base64: '"e30="' }), code: 'invalid', reason: /data_base64 is not supported/, cloudevent: true },
  { name: 'CloudEvent data.metrics missing', text: ce({ data: '{"labels":{}}' }), code: 'invalid', reason: /metrics/, cloudevent: true },
  { name: 'CloudEvent metric a word', text: ce({ data: '{"metrics":{"http_requests":"many"}}' }), code: 'invalid', reason: /metrics\.http_requests must be a finite number/, cloudevent: true },
  { name: 'CloudEvent interval_s zero', text: ce({ data: '{"metrics":{"http_requests":1},"interval_s":0}' }), code: 'invalid', reason: /interval_s must be a positive number/, cloudevent: true },
  { name: 'CloudEvent too old', text: ce({ time: '"2026-01-01T00:00:00Z"' }), code: 'window', reason: /older than METERLINE_MAX_SAMPLE_AGE/, cloudevent: true },
];
