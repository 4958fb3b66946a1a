// A perfdata-file line becomes one usage sample (SPEC §7): every known value is a metric
// `nagios.<servicedesc>.<label>` (host perfdata: `nagios.host.<label>`) on the server mapped
// from HOSTNAME, at ts = TIMET. The id is derived from host, service and TIMET, so reading the
// same file twice (or a line Nagios wrote twice) counts nothing twice.
import { createHash } from 'node:crypto';
import { parseSample } from '../pipeline/samples/parse.js';
import { sampleToJson } from '../pipeline/samples/parse.js';
import type { Sample } from '../pipeline/samples/sample.js';
import { parsePerfdata } from './perfdata.js';
import { parsePerfdataFileLine, type PerfdataRecord } from './perfdata-file.js';

/** Nagios HOSTNAME → server_id (catalogue `hosts:`); a host not listed maps to itself. */
export type HostMap = Readonly<Record<string, string>>;

export const serverIdOf = (host: string, hosts: HostMap): string =>
  Object.hasOwn(hosts, host) ? (hosts[host] as string) : host;

/**
 * `nagios:` + hex sha256 of host, service and TIMET joined by NUL (a character no Nagios
 * name contains); host perfdata uses an empty service, which no service can have. The raw
 * Nagios host name is hashed, not the server id, so a changed host map never re-counts.
 */
export function nagiosSampleId(host: string, service: string | undefined, timet: number): string {
  const h = createHash('sha256').update(`${host}\0${service ?? ''}\0${timet}`, 'utf8').digest('hex');
  return `nagios:${h}`;
}

export const metricName = (record: PerfdataRecord, label: string): string =>
  record.type === 'service' ? `nagios.${record.service}.${label}` : `nagios.host.${label}`;

export type SampleResult =
  | { ok: true; sample: Sample }
  /** The line is valid but carries no value (empty perfdata, or only `U`). */
  | { ok: true; sample: null }
  | { ok: false; reason: string };

/** One parsed perfdata-file record → a sample (or null when it has no known value). */
export function recordToSample(record: PerfdataRecord, hosts: HostMap): SampleResult {
  const parsed = parsePerfdata(record.perfdata);
  if (!parsed.ok) return parsed;
  const metrics: Record<string, string> = {};
  for (const v of parsed.values) {
    if (v.value !== null) metrics[metricName(record, v.label)] = v.value;
  }
  if (Object.keys(metrics).length === 0) return { ok: true, sample: null };
  // interval_s is left out: a perfdata line says nothing about the check interval, so the
  // meter's interval_s applies (SPEC §3); catalogues set it to the Nagios check_interval.
  const sample: Sample = {
    id: nagiosSampleId(record.host, record.service, record.timet),
    serverId: serverIdOf(record.host, hosts),
    tsMs: record.timet * 1000,
    metrics,
    labels: {},
  };
  // Held to exactly the checks HTTP ingest applies, so convert never prints what ingest refuses.
  const check = parseSample(sampleToJson(sample));
  if (!check.ok) return { ok: false, reason: check.reason };
  return { ok: true, sample };
}

/** One perfdata-file line → a sample, null (nothing to count), or a reason. */
export function perfdataLineToSample(line: string, hosts: HostMap): SampleResult {
  const r = parsePerfdataFileLine(line);
  if (!r.ok) return r;
  return recordToSample(r.record, hosts);
}
