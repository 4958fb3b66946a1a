// Bad requests other than bad samples: bodies as a whole, headers, keys, query parameters,
// provisioning bodies and Nagios lines — each with the status SPEC §10 / docs/decisions.md give
// it and a reason that names what is wrong. Keys are named by role (access-app.ts KeySet).
import type { KeySet } from '../access-app.js';

export interface BadRequest {
  name: string;
  method: string;
  path: string;
  key?: keyof KeySet | { raw: string };
  body?: string;
  type?: string;
  headers?: Record<string, string>;
  status: number;
  /** Matched against the answer's text (its `error`, `problems` and `rejected` reasons). */
  reason: RegExp;
}

const GOOD = '{"id":"g","server_id":"srv-1","ts":"2026-10-10T11:59:00Z","metrics":{"http_requests":1}}';
const samples = (body: string, type = 'application/json'): Pick<BadRequest, 'method' | 'path' | 'key' | 'body' | 'type'> => ({
  method: 'POST', path: '/v1/samples', key: 'agent', body, type,
});
const perfdata = (line: string): Pick<BadRequest, 'method' | 'path' | 'key' | 'body' | 'type'> => ({
  method: 'POST', path: '/v1/nagios/perfdata', key: 'agent', body: `${line}\n`, type: 'text/plain',
});
const events = (line: string): Pick<BadRequest, 'method' | 'path' | 'key' | 'body' | 'type'> => ({
  method: 'POST', path: '/v1/nagios/events', key: 'agent', body: `${line}\n`, type: 'text/plain',
});
const put = (body: string): Pick<BadRequest, 'method' | 'path' | 'key' | 'body'> => ({ method: 'PUT', path: '/v1/customers/gamma', key: 'finance', body });
const sub = (body: string): Pick<BadRequest, 'method' | 'path' | 'key' | 'body'> => ({ method: 'POST', path: '/v1/subscriptions', key: 'finance', body });
const PD = (fields: string) => `DATATYPE::SERVICEPERFDATA\t${fields}`;
const T = 'TIMET::1791633540'; // 2026-10-10T11:59:00Z

export const BAD_REQUESTS: BadRequest[] = [
  // the body as a whole
  { name: 'empty body', ...samples(''), status: 400, reason: /body is empty/ },
  { name: 'blank NDJSON', ...samples('\n\n', 'application/x-ndjson'), status: 400, reason: /holds no samples/ },
  { name: 'empty array', ...samples('[]'), status: 400, reason: /array holds no samples/ },
  { name: 'a JSON string as body', ...samples('"x"'), status: 400, reason: /JSON array of samples or one sample object/ },
  { name: 'unterminated array', ...samples(`[${GOOD}`), status: 400, reason: /ends inside the array/ },
  { name: 'unterminated string', ...samples('["abc'), status: 400, reason: /ends inside a string/ },
  { name: 'data after the array', ...samples(`[${GOOD}] x`), status: 400, reason: /data after the closing bracket/ },
  { name: 'unbalanced bracket', ...samples(`[${GOOD}}]`), status: 400, reason: /unbalanced bracket/ },
  { name: 'text/plain body', ...samples(GOOD, 'text/plain'), status: 415, reason: /Content-Type "text\/plain" is not accepted/ },
  { name: 'XML body', ...samples('<s/>', 'application/xml'), status: 415, reason: /Content-Type "application\/xml" is not accepted/ },
  { name: 'a CloudEvents array sent as one event', ...samples(`[${GOOD}]`, 'application/cloudevents+json'), status: 400, reason: /carries one event object/ },
  { name: 'CloudEvents batch not an array', ...samples('{"specversion":"1.0"}', 'application/cloudevents-batch+json'), status: 400, reason: /must be a JSON array/ },
  { name: 'more samples than METERLINE_MAX_BATCH_SAMPLES (1000)', ...samples(`[${Array.from({ length: 1001 }, () => GOOD).join(',')}]`), status: 413, reason: /more than 1000 samples/ },
  { name: 'a body over METERLINE_MAX_BODY_BYTES (1 MiB)', ...samples(`[${GOOD},${' '.repeat(1 << 20)}]`), status: 413, reason: /1048576|body/i },
  // headers and keys (SPEC §10: 401/403 without a valid key)
  { name: 'no Authorization header', method: 'POST', path: '/v1/samples', body: `[${GOOD}]`, status: 401, reason: /missing API key/ },
  { name: 'Basic scheme', method: 'POST', path: '/v1/samples', key: { raw: 'Basic YWdlbnQ6cHc=' }, body: `[${GOOD}]`, status: 401, reason: /malformed Authorization header/ },
  { name: 'Bearer without a key', method: 'POST', path: '/v1/samples', key: { raw: 'Bearer' }, body: `[${GOOD}]`, status: 401, reason: /malformed Authorization header/ },
  { name: 'Bearer with two words', method: 'POST', path: '/v1/samples', key: { raw: 'Bearer ml_a ml_b' }, body: `[${GOOD}]`, status: 401, reason: /malformed Authorization header/ },
  { name: 'a key of the wrong shape', method: 'POST', path: '/v1/samples', key: { raw: 'Bearer hunter2' }, body: `[${GOOD}]`, status: 401, reason: /unknown API key/ },
  { name: 'an unknown well-formed key', method: 'POST', path: '/v1/samples', key: { raw: `Bearer ml_${'A'.repeat(43)}` }, body: `[${GOOD}]`, status: 401, reason: /unknown API key/ },
  { name: 'a revoked key', method: 'POST', path: '/v1/samples', key: 'revoked', body: `[${GOOD}]`, status: 401, reason: /API key key_[0-9a-f]{16} was revoked at/ },
  { name: 'a finance key writing samples', method: 'POST', path: '/v1/samples', key: 'finance', body: `[${GOOD}]`, status: 403, reason: /finance key may not write samples/ },
  { name: 'a customer key writing samples', method: 'POST', path: '/v1/samples', key: 'acme', body: `[${GOOD}]`, status: 403, reason: /customer key may not write samples/ },
  { name: 'an agent key reading invoices', method: 'GET', path: '/v1/invoices', key: 'agent', status: 403, reason: /agent key may not read invoices/ },
  { name: 'an agent key reading rollups', method: 'GET', path: '/v1/rollups', key: 'agent', status: 403, reason: /agent key may not read rollups/ },
  { name: 'a customer key provisioning', ...sub('{}'), key: 'acme', status: 403, reason: /customer key may not manage customers/ },
  { name: 'a customer key finalizing', method: 'POST', path: '/v1/invoices/finalize?period=2026-09', key: 'acme', status: 403, reason: /customer key may not finalize invoices/ },
  { name: 'a customer key reading another customer\'s rollups', method: 'GET', path: '/v1/rollups?customer=beta', key: 'acme', status: 403, reason: /only its own customer/ },
  { name: 'a customer key reading another customer\'s invoices', method: 'GET', path: '/v1/invoices?customer=beta', key: 'acme', status: 403, reason: /only its own customer/ },
  { name: 'an agent key writing Nagios with no key', method: 'POST', path: '/v1/nagios/events', body: 'x', type: 'text/plain', status: 401, reason: /missing API key/ },
  { name: 'a finance key writing Nagios perfdata', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1`)), key: 'finance', status: 403, reason: /finance key may not write Nagios perfdata/ },
  // query parameters
  { name: 'rollups granularity week', method: 'GET', path: '/v1/rollups?granularity=week', key: 'finance', status: 400, reason: /granularity/ },
  { name: 'rollups from not a time', method: 'GET', path: '/v1/rollups?from=yesterday', key: 'finance', status: 400, reason: /\bfrom\b.*RFC 3339/ },
  { name: 'rollups to not a time', method: 'GET', path: '/v1/rollups?to=2026-13-01T00:00:00Z', key: 'finance', status: 400, reason: /\bto\b/ },
  { name: 'rollups from a date only', method: 'GET', path: '/v1/rollups?from=2026-10-01', key: 'finance', status: 400, reason: /\bfrom\b/ },
  { name: 'invoices period 2026-13', method: 'GET', path: '/v1/invoices?period=2026-13', key: 'finance', status: 422, reason: /period: must be YYYY-MM/ },
  { name: 'invoices period a word', method: 'GET', path: '/v1/invoices?period=october', key: 'finance', status: 422, reason: /period: must be YYYY-MM/ },
  { name: 'invoices period with a day', method: 'GET', path: '/v1/invoices?period=2026-10-01', key: 'finance', status: 422, reason: /period: must be YYYY-MM/ },
  { name: 'finalize without a period', method: 'POST', path: '/v1/invoices/finalize', key: 'finance', status: 422, reason: /period/ },
  { name: 'finalize period 2026-00', method: 'POST', path: '/v1/invoices/finalize?period=2026-00', key: 'finance', status: 422, reason: /period: must be YYYY-MM/ },
  { name: 'explain line "abc"', method: 'GET', path: '/v1/invoices/x/lines/abc/explain', key: 'finance', status: 422, reason: /\bn: must be a line number from 1/ },
  { name: 'explain line 0', method: 'GET', path: '/v1/invoices/x/lines/0/explain', key: 'finance', status: 422, reason: /\bn: must be a line number from 1/ },
  { name: 'an unknown invoice', method: 'GET', path: '/v1/invoices/inv-nope', key: 'finance', status: 404, reason: /no invoice "inv-nope"/ },
  { name: 'an unknown subscription', method: 'PATCH', path: '/v1/subscriptions/nope', key: 'finance', body: '{"to":"2026-10-20T00:00:00Z"}', status: 404, reason: /no subscription "nope"/ },
  // provisioning bodies (SPEC §10: the same validation as the catalogue file)
  { name: 'customer body not JSON', ...put('{currency:USD}'), status: 422, reason: /not valid JSON/ },
  { name: 'customer body a list', ...put('[]'), status: 422, reason: /\(body\)|must be a map/ },
  { name: 'customer currency EUR', ...put('{"currency":"EUR"}'), status: 422, reason: /currency: must equal the catalogue's currency USD/ },
  { name: 'customer currency a number', ...put('{"currency":840}'), status: 422, reason: /currency/ },
  { name: 'customer discount_pct a word', ...put('{"contract":{"discount_pct":"abc"}}'), status: 422, reason: /contract\.discount_pct/ },
  { name: 'customer discount_pct over 100', ...put('{"contract":{"discount_pct":"101"}}'), status: 422, reason: /contract\.discount_pct/ },
  { name: 'customer discount_pct negative', ...put('{"contract":{"discount_pct":"-5"}}'), status: 422, reason: /contract\.discount_pct/ },
  { name: 'customer minimum_commit negative', ...put('{"contract":{"minimum_commit":"-1.00"}}'), status: 422, reason: /contract\.minimum_commit/ },
  { name: 'customer minimum_commit a word', ...put('{"contract":{"minimum_commit":"ten"}}'), status: 422, reason: /contract\.minimum_commit/ },
  { name: 'customer override of an unknown plan', ...put('{"contract":{"overrides":{"nope":{"base_fee":{"amount":"1.00","per":"month"}}}}}'), status: 422, reason: /contract\.overrides\.nope/ },
  { name: 'customer override fee per week', ...put('{"contract":{"overrides":{"monthly":{"base_fee":{"amount":"1.00","per":"week"}}}}}'), status: 422, reason: /contract\.overrides\.monthly\.base_fee\.per/ },
  { name: 'customer discount_pct of 16+ digits unquoted', ...put('{"contract":{"discount_pct":1.0000000000000001}}'), status: 422, reason: /contract\.discount_pct/ },
  { name: 'subscription body not JSON', ...sub('{"server_id":'), status: 422, reason: /not valid JSON/ },
  { name: 'subscription missing everything', ...sub('{}'), status: 422, reason: /server_id.*is required|customer: is required/ },
  { name: 'subscription unknown plan', ...sub('{"server_id":"srv-9","customer":"acme","plan":"nope","from":"2026-10-05T00:00:00Z"}'), status: 422, reason: /\bplan\b.*nope/ },
  { name: 'subscription unknown customer', ...sub('{"server_id":"srv-9","customer":"nobody","plan":"monthly","from":"2026-10-05T00:00:00Z"}'), status: 422, reason: /customer.*nobody/ },
  { name: 'subscription from not a time', ...sub('{"server_id":"srv-9","customer":"acme","plan":"monthly","from":"soon"}'), status: 422, reason: /\bfrom\b/ },
  { name: 'subscription to before from', ...sub('{"server_id":"srv-9","customer":"acme","plan":"monthly","from":"2026-10-05T00:00:00Z","to":"2026-10-04T00:00:00Z"}'), status: 422, reason: /\bto\b/ },
  { name: 'subscription server_id a number', ...sub('{"server_id":9,"customer":"acme","plan":"monthly","from":"2026-10-05T00:00:00Z"}'), status: 422, reason: /server_id/ },
  { name: 'subscription overlapping srv-1', ...sub('{"server_id":"srv-1","customer":"acme","plan":"monthly","from":"2026-10-05T00:00:00Z"}'), status: 409, reason: /server srv-1 already has subscription/ },
  { name: 'subscription patch to not a time', method: 'PATCH', path: '/v1/subscriptions/srv-1@2026-10-01T00:00:00.000Z', key: 'finance', body: '{"to":"later"}', status: 422, reason: /\bto\b/ },
  // Nagios perfdata lines (SPEC §7)
  { name: 'perfdata TIMET a word', ...perfdata(PD('TIMET::now\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1')), status: 400, reason: /TIMET "now" is not epoch seconds/ },
  { name: 'perfdata TIMET missing', ...perfdata(PD('HOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1')), status: 400, reason: /TIMET/ },
  { name: 'perfdata HOSTNAME missing', ...perfdata(PD(`${T}\tSERVICEDESC::x\tSERVICEPERFDATA::a=1`)), status: 400, reason: /HOSTNAME/ },
  { name: 'perfdata SERVICEDESC missing', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEPERFDATA::a=1`)), status: 400, reason: /SERVICEDESC/ },
  { name: 'perfdata value a word', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=lots`)), status: 400, reason: /\ba\b|value/ },
  { name: 'perfdata unit furlongs', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1furlongs`)), status: 400, reason: /furlongs|unit/i },
  { name: 'perfdata label without =', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a1`)), status: 400, reason: /a1|=/ },
  { name: 'perfdata unterminated quote', ...perfdata(PD(`${T}\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::'a=1`)), status: 400, reason: /quote|'a=1/ },
  { name: 'perfdata DATATYPE unknown', ...perfdata(`DATATYPE::OTHERDATA\t${T}\tHOSTNAME::web01.fra1\tSERVICEPERFDATA::a=1`), status: 400, reason: /DATATYPE|OTHERDATA/ },
  { name: 'perfdata TIMET 12 digits', ...perfdata(PD('TIMET::179163354000\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1')), status: 400, reason: /TIMET/ },
  { name: 'perfdata sample too old', ...perfdata(PD('TIMET::1780000000\tHOSTNAME::web01.fra1\tSERVICEDESC::x\tSERVICEPERFDATA::a=1')), status: 400, reason: /older than METERLINE_MAX_SAMPLE_AGE/ },
  // nagios.log and Statusengine lines (SPEC §7)
  { name: 'nagios.log garbage', ...events('garbage'), status: 400, reason: /not a perfdata-file, nagios.log or Statusengine line/ },
  { name: 'HOST ALERT state SIDEWAYS', ...events('[1791633540] HOST ALERT: web01.fra1;SIDEWAYS;HARD;1;out'), status: 400, reason: /host state "SIDEWAYS" is not UP, DOWN or UNREACHABLE/ },
  { name: 'HOST ALERT type MEDIUM', ...events('[1791633540] HOST ALERT: web01.fra1;DOWN;MEDIUM;1;out'), status: 400, reason: /state type "MEDIUM" is not HARD or SOFT/ },
  { name: 'HOST ALERT fields missing', ...events('[1791633540] HOST ALERT: web01.fra1'), status: 400, reason: /expected host;STATE;STATETYPE/ },
  { name: 'HOST ALERT empty host', ...events('[1791633540] HOST ALERT: ;DOWN;HARD;1;out'), status: 400, reason: /empty host name/ },
  { name: 'CURRENT HOST STATE bad state', ...events('[1791633540] CURRENT HOST STATE: web01.fra1;GONE;HARD;1;out'), status: 400, reason: /host state "GONE"/ },
  { name: 'Statusengine not JSON', ...events('{"hostname":"web01.fra1",'), status: 400, reason: /invalid JSON|not a perfdata-file/ },
  { name: 'Statusengine state 7', ...events('{"hostname":"web01.fra1","state_time":1791633540,"state":7,"is_hardstate":true}'), status: 400, reason: /state 7 is not a host state/ },
  { name: 'Statusengine no host', ...events('{"state_time":1791633540,"state":1,"is_hardstate":true}'), status: 400, reason: /host_name \(or hostname\) is missing/ },
  { name: 'Statusengine no hardness', ...events('{"hostname":"web01.fra1","state_time":1791633540,"state":1}'), status: 400, reason: /state_type \(or is_hardstate\)/ },
  { name: 'Statusengine fractional time', ...events('{"hostname":"web01.fra1","state_time":1791633540.5,"state":1,"is_hardstate":true}'), status: 400, reason: /timestamp 1791633540.5 is not epoch seconds/ },
  { name: 'Statusengine time a word', ...events('{"hostname":"web01.fra1","state_time":"noon","state":1,"is_hardstate":true}'), status: 400, reason: /timestamp "noon" is not epoch seconds/ },
];
