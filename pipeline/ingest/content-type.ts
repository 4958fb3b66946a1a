// Which body formats POST /v1/samples accepts (SPEC §2), by media type. Parameters other than
// charset are ignored; a charset other than UTF-8 is refused (JSON is UTF-8, RFC 8259 §8.1).

export type BodyFormat = 'json' | 'ndjson' | 'cloudevent' | 'cloudevents-batch';

export const MEDIA_TYPES: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/cloudevents+json': 'cloudevent',
  'application/cloudevents-batch+json': 'cloudevents-batch',
};

export type ContentTypeResult = { ok: true; format: BodyFormat; mediaType: string } | { ok: false; reason: string };

export function parseContentType(header: string | undefined): ContentTypeResult {
  const accepted = Object.keys(MEDIA_TYPES).join(', ');
  if (!header) return { ok: false, reason: `Content-Type is missing; send one of ${accepted}` };
  const [type = '', ...params] = header.split(';').map((p) => p.trim());
  const mediaType = type.toLowerCase();
  const format = MEDIA_TYPES[mediaType];
  if (!format) return { ok: false, reason: `Content-Type ${JSON.stringify(type)} is not accepted; send one of ${accepted}` };
  for (const p of params) {
    const [k, v = ''] = p.split('=').map((s) => s.trim().toLowerCase());
    if (k === 'charset' && v.replace(/"/g, '') !== 'utf-8' && v.replace(/"/g, '') !== 'utf8') {
      return { ok: false, reason: `charset ${JSON.stringify(v)} is not accepted; bodies must be UTF-8` };
    }
  }
  return { ok: true, format, mediaType };
}
