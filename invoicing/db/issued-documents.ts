// issued_documents (migration 110): the document model of a final invoice or a credit note as
// it was issued, written once in the transaction that issues it and never changed (triggers).
import type { DocumentModel } from '../documents/model.js';
import type { Queryable } from './tx.js';

/** at_issue: stored when issued; first_render: an older document frozen at its first render. */
export type Frozen = 'at_issue' | 'first_render';

export type IssuedOf = { invoice: string } | { creditNote: string };

const MODEL_VERSION = 1;

const column = (of: IssuedOf): 'invoice_id' | 'credit_note_id' => ('invoice' in of ? 'invoice_id' : 'credit_note_id');
const idOf = (of: IssuedOf): string => ('invoice' in of ? of.invoice : of.creditNote);

/**
 * Stores the model unless one is stored already, and returns the stored one: when two first
 * renders of an older document race, both print the copy that won.
 */
export async function storeIssuedDocument(db: Queryable, of: IssuedOf, model: DocumentModel, frozen: Frozen): Promise<DocumentModel> {
  const col = column(of);
  const r = await db.query<{ model: DocumentModel }>({
    name: `issued_documents.insert_${col}`,
    text: `WITH ins AS (
             INSERT INTO issued_documents (${col}, model, model_version, frozen) VALUES ($1, $2, $3, $4)
             ON CONFLICT (${col}) DO NOTHING RETURNING model)
           SELECT model FROM ins UNION ALL SELECT model FROM issued_documents WHERE ${col} = $1`,
    values: [idOf(of), JSON.stringify(model), MODEL_VERSION, frozen],
  });
  // A copy committed by a concurrent first render after this statement's snapshot: read again.
  const stored = r.rows[0]?.model ?? (await getIssuedDocument(db, of));
  if (!stored) throw new Error(`issued document of ${col} ${idOf(of)}: not stored (this is a bug)`);
  return stored;
}

export async function getIssuedDocument(db: Queryable, of: IssuedOf): Promise<DocumentModel | undefined> {
  const col = column(of);
  const r = await db.query<{ model: DocumentModel; model_version: number }>({
    name: `issued_documents.get_${col}`,
    text: `SELECT model, model_version FROM issued_documents WHERE ${col} = $1`,
    values: [idOf(of)],
  });
  const row = r.rows[0];
  if (row && row.model_version !== MODEL_VERSION) {
    throw new Error(`issued document of ${col} ${idOf(of)}: model version ${row.model_version}, this release reads ${MODEL_VERSION}`);
  }
  return row?.model;
}
