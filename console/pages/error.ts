// A refusal page: the status and one sentence, nothing of what was asked for.
import { html } from 'hono/html';
import type { Session } from '../session.js';
import { layout, type Html } from './layout.js';

const TITLES: Record<number, string> = { 403: 'Forbidden', 404: 'Not found' };

export function errorPage(status: number, message: string, session?: Session): Html {
  return layout({ title: `${status} ${TITLES[status] ?? 'Error'}`, ...(session ? { session } : {}) }, html`<p class="error">${message}</p>`);
}
