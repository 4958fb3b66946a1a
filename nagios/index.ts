// The Nagios bridge (SPEC §7), pure: perfdata → samples, host states → down intervals → SLA.
//
// For `meterline bill --nagios FILE` and the rate role:
//   const input = await readNagiosLines(readline lines of FILE, catalog.hosts);
//   input.rejected  → report (line, reason); input.samples → usage like --events samples;
//   const down = buildDownIntervals(input.events, catalog.hosts);
//   availability(down, sub.serverId, max(sub.fromMs, periodStart), min(sub.toMs, periodEnd))
//     → Decimal percent for the SLA credit (SPEC §6.4).
export type { PerfValue, PerfdataResult } from './perfdata.js';
export { parsePerfdata, parseDatum } from './perfdata.js';
export type { Range } from './range.js';
export { lookupUnit, type Unit } from './units.js';
export { parsePerfdataFileLine, isPerfdataFileLine, type PerfdataRecord } from './perfdata-file.js';
export {
  perfdataLineToSample, recordToSample, nagiosSampleId, metricName, serverIdOf,
  type HostMap, type SampleResult,
} from './to-sample.js';
export type { HostState, HostStateEvent } from './state.js';
export { parseNagiosLogLine, isNagiosLogLine } from './nagios-log.js';
export { parseStatusengineLine } from './statusengine.js';
export { parseNagiosLine, readNagiosLines, type NagiosLine, type NagiosInput, type Rejected } from './lines.js';
export {
  buildDownIntervals, downIntervalsIn, downSeconds, availability,
  type DownInterval, type IntervalOptions,
} from './intervals.js';
