// Reads catalogue text (YAML, or JSON — which YAML 1.2 parses too) into plain values, except
// that every number keeps its *source text*: a price written `0.1` must be judged by what the
// author wrote, never by the binary double a parser would turn it into. Parsing JSON through
// the YAML parser gives JSON files the same treatment (JSON.parse would lose the text).
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../lib/errors.js';
import { NumberText } from '../lib/number-text.js';

/** A number as written in the file (e.g. `1e-9`, `149.00`, `0x1F`): the same class as JSON input's. */
export { NumberText };

export type RawValue = string | boolean | null | NumberText | RawValue[] | { [key: string]: RawValue };

export type RawResult = { ok: true; value: RawValue } | { ok: false; problems: Problem[] };

function convert(node: Node | null | undefined, doc: Document, depth: number): RawValue {
  if (depth > 64) throw new Error('nesting too deep (alias loop?)');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert(node.resolve(doc) as Node | undefined, doc, depth + 1);
  if (isMap(node)) {
    const out: { [key: string]: RawValue } = Object.create(null) as { [key: string]: RawValue };
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = convert(pair.value as Node | null, doc, depth + 1);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => convert(item as Node | null, doc, depth + 1));
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number' || typeof v === 'bigint') {
      return new NumberText(typeof node.source === 'string' ? node.source.trim() : String(v));
    }
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
    return String(v);
  }
  return null;
}

/** Parse catalogue text; syntax errors come back as problems with their line and column. */
export function readRaw(text: string): RawResult {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: e.linePos ? `(line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '(file)',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  try {
    return { ok: true, value: convert(doc.contents as Node | null, doc, 0) };
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: (err as Error).message }] };
  }
}
