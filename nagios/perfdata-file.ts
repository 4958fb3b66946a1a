// One line of a Nagios bulk perfdata file, in the two layouts found in the field:
//
// 1. PNP4Nagios / nagflux key–value template (tab-separated `KEY::value`):
//    DATATYPE::SERVICEPERFDATA\tTIMET::…\tHOSTNAME::…\tSERVICEDESC::…\tSERVICEPERFDATA::…
//      \tSERVICECHECKCOMMAND::…\tHOSTSTATE::…\tHOSTSTATETYPE::…\tSERVICESTATE::…\tSERVICESTATETYPE::…
//    DATATYPE::HOSTPERFDATA\tTIMET::…\tHOSTNAME::…\tHOSTPERFDATA::…\tHOSTCHECKCOMMAND::…\t…
//    Keys other than the ones read here are ignored. Hand-edited templates sometimes separate a
//    field by a space instead of a tab; a space followed by a *known* key and `::` is taken as
//    a separator too (unknown keys only after a tab, so `a::b` inside perfdata stays intact).
//    A tab-separated piece without `KEY::` is a tab inside the previous value (plugin output).
//
// 2. Nagios core's default templates (xdata/xpddefault.h), positional and tab-separated:
//    [SERVICEPERFDATA]\t$TIMET$\t$HOSTNAME$\t$SERVICEDESC$\t$SERVICEEXECUTIONTIME$\t$SERVICELATENCY$\t$SERVICEOUTPUT$\t$SERVICEPERFDATA$
//    [HOSTPERFDATA]\t$TIMET$\t$HOSTNAME$\t$HOSTEXECUTIONTIME$\t$HOSTOUTPUT$\t$HOSTPERFDATA$
//    The output may itself hold tabs, so the perfdata is the *last* field and the leading
//    fields are taken by position.

export interface PerfdataRecord {
  type: 'service' | 'host';
  /** TIMET: epoch seconds as Nagios wrote it. */
  timet: number;
  host: string;
  /** SERVICEDESC; absent for host perfdata. */
  service?: string;
  /** The raw performance-data string. */
  perfdata: string;
}

export type RecordResult = { ok: true; record: PerfdataRecord } | { ok: false; reason: string };

const KNOWN_KEYS = [
  'DATATYPE', 'TIMET', 'HOSTNAME', 'SERVICEDESC', 'SERVICEPERFDATA', 'HOSTPERFDATA',
  'SERVICECHECKCOMMAND', 'HOSTCHECKCOMMAND', 'HOSTSTATE', 'HOSTSTATETYPE', 'SERVICESTATE',
  'SERVICESTATETYPE', 'SERVICEOUTPUT', 'HOSTOUTPUT', 'LONGSERVICEOUTPUT', 'LONGHOSTOUTPUT',
  'SERVICEEXECUTIONTIME', 'HOSTEXECUTIONTIME', 'SERVICELATENCY', 'HOSTLATENCY',
  'SERVICEINTERVAL', 'HOSTINTERVAL', 'GRAPHITEPREFIX', 'GRAPHITEPOSTFIX', 'NAGFLUX:TAG',
];
const SPACE_SEPARATED_KEY = new RegExp(` (?=(?:${KNOWN_KEYS.join('|')})::)`, 'g');
const KEY = /^[A-Za-z][A-Za-z0-9_:]*$/;

/** Does this line look like a perfdata-file line (either layout)? */
export const isPerfdataFileLine = (line: string): boolean =>
  /^\s*(DATATYPE::|\[SERVICEPERFDATA\]|\[HOSTPERFDATA\])/.test(line);

function parseTimet(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,11}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

function keyValueFields(line: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const tabField of line.split('\t')) {
    for (const piece of tabField.split(SPACE_SEPARATED_KEY)) {
      const sep = piece.indexOf('::');
      const key = sep > 0 ? piece.slice(0, sep) : '';
      if (!KEY.test(key)) {
        if (last === undefined) return `field ${JSON.stringify(piece)} has no KEY::`;
        fields.set(last, `${fields.get(last)}\t${piece}`);
        continue;
      }
      if (fields.has(key)) return `${key} appears twice`;
      fields.set(key, piece.slice(sep + 2));
      last = key;
    }
  }
  return fields;
}

function fromKeyValue(line: string): RecordResult {
  const fields = keyValueFields(line);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  const datatype = fields.get('DATATYPE')?.trim();
  if (datatype !== 'SERVICEPERFDATA' && datatype !== 'HOSTPERFDATA') {
    return { ok: false, reason: `DATATYPE ${JSON.stringify(datatype)} is neither SERVICEPERFDATA nor HOSTPERFDATA` };
  }
  const type = datatype === 'SERVICEPERFDATA' ? 'service' : 'host';
  const missing = ['TIMET', 'HOSTNAME', ...(type === 'service' ? ['SERVICEDESC'] : []), datatype].filter((k) => !fields.has(k));
  if (missing.length > 0) return { ok: false, reason: `missing ${missing.join(', ')}` };
  return build(type, fields.get('TIMET'), fields.get('HOSTNAME'), fields.get('SERVICEDESC'), fields.get(datatype));
}

function fromDefaultTemplate(line: string): RecordResult {
  const fields = line.split('\t');
  const type = fields[0]?.trim() === '[SERVICEPERFDATA]' ? 'service' : 'host';
  const need = type === 'service' ? 8 : 6;
  if (fields.length < need) {
    return { ok: false, reason: `default ${fields[0]?.trim()} template needs ${need} tab-separated fields, found ${fields.length}` };
  }
  return build(type, fields[1], fields[2], type === 'service' ? fields[3] : undefined, fields[fields.length - 1]);
}

function build(
  type: 'service' | 'host',
  timetText: string | undefined,
  host: string | undefined,
  service: string | undefined,
  perfdata: string | undefined,
): RecordResult {
  const timet = parseTimet(timetText);
  if (timet === undefined) return { ok: false, reason: `TIMET ${JSON.stringify(timetText)} is not epoch seconds` };
  // Names are trimmed at their ends only (a stray space before a tab is no part of a name).
  const hostName = host?.trim();
  if (!hostName) return { ok: false, reason: 'HOSTNAME is empty' };
  const record: PerfdataRecord = { type, timet, host: hostName, perfdata: perfdata ?? '' };
  if (type === 'service') {
    const desc = service?.trim();
    if (!desc) return { ok: false, reason: 'SERVICEDESC is empty' };
    record.service = desc;
  }
  return { ok: true, record };
}

/** Parses one perfdata-file line (without its line break). */
export function parsePerfdataFileLine(line: string): RecordResult {
  const text = line.replace(/\r$/, '').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('DATATYPE::')) return fromKeyValue(start);
  if (start.startsWith('[SERVICEPERFDATA]') || start.startsWith('[HOSTPERFDATA]')) return fromDefaultTemplate(start);
  return { ok: false, reason: 'not a perfdata-file line (expected DATATYPE::… or [SERVICEPERFDATA]/[HOSTPERFDATA])' };
}
