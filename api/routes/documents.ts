// Content negotiation of the invoice and credit-note routes (SPEC §12.5): JSON by default,
// `Accept: text/html` → the printable HTML document, `Accept: application/pdf` or the suffix
// `.pdf` on the id → the PDF. The route's access rule is decided before any of this: the
// document of a resource is served exactly to those who may read its JSON.
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { renderHtml } from '../../invoicing/documents/html.js';
import type { DocumentModel } from '../../invoicing/documents/model.js';
import { renderPdf } from '../../invoicing/documents/pdf.js';

export type DocumentFormat = 'json' | 'html' | 'pdf';

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html';
const PDF_TYPE = 'application/pdf';
const PDF_SUFFIX = '.pdf';

/** The resource id and the form asked for: `x.pdf` is x as PDF, else the Accept header decides. */
export function requestedDocument(c: Context, rawId: string): { id: string; format: DocumentFormat } {
  if (rawId.endsWith(PDF_SUFFIX) && rawId.length > PDF_SUFFIX.length) return { id: rawId.slice(0, -PDF_SUFFIX.length), format: 'pdf' };
  const type = accepts(c, { header: 'Accept', supports: [JSON_TYPE, HTML_TYPE, PDF_TYPE], default: JSON_TYPE });
  return { id: rawId, format: type === HTML_TYPE ? 'html' : type === PDF_TYPE ? 'pdf' : 'json' };
}

/** A file name safe in a header: the document number (or id) with anything odd replaced. */
const fileName = (m: DocumentModel, id: string): string => `${(m.number ?? `${m.draft ? 'draft-' : ''}${id}`).replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;

/** The HTML or PDF response of a document model. */
export async function documentResponse(c: Context, format: Exclude<DocumentFormat, 'json'>, m: DocumentModel, id: string): Promise<Response> {
  // Answers differ by Accept; a draft changes until it is final, so nothing is cached as shared.
  const common = { vary: 'Accept', 'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff' };
  if (format === 'html') {
    // The document has no script and loads nothing: a CSP that forbids both, beside escaping.
    return c.body(renderHtml(m), 200, { ...common, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
  }
  const pdf = await renderPdf(m);
  return c.body(new Uint8Array(pdf), 200, { ...common, 'content-type': PDF_TYPE, 'content-disposition': `inline; filename="${fileName(m, id)}"` });
}
