// Reads a PDF back with pdfjs-dist (a pure npm reader, the one Firefox uses): the text items
// of each page, so a test can look for an exact string as one printed piece of text.
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  /** Text items of each page, in drawing order. */
  pages: string[][];
  /** Every item of every page. */
  items: string[];
  /** Document information (Title, Author …). */
  info: Record<string, unknown>;
}

export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: VerbosityLevel.ERRORS }).promise;
  const pages: string[][] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.flatMap((it) => ('str' in it && it.str.trim() !== '' ? [it.str] : [])));
  }
  const meta = await pdf.getMetadata();
  await pdf.destroy();
  return { pages, items: pages.flat(), info: (meta.info ?? {}) as Record<string, unknown> };
}
