/**
 * Inboxes: the listing (the API's hot path: one indexed query, then plain copying into the
 * response), deleting a whole inbox, and full-text search.
 */
import { HttpError } from '../errors.js';
import { inboxParam, integerParam } from '../params.js';
import { presentSummary } from '../present.js';
import { sendJson, sendNoContent } from '../reply.js';
import type { RequestContext } from '../router.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export async function listMessages({ params, query, res, app }: RequestContext): Promise<void> {
  const inbox = inboxParam(params.inbox!);
  const limit = integerParam(query, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const offset = integerParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const page = await app.store.list(inbox, { limit, offset });
  sendJson(res, 200, { inbox: page.inbox, total: page.total, messages: page.messages.map(presentSummary) });
}

export async function deleteInbox({ params, res, app }: RequestContext): Promise<void> {
  await app.store.deleteInbox(inboxParam(params.inbox!));
  sendNoContent(res);
}

export async function search({ query, res, app }: RequestContext): Promise<void> {
  const text = (query.get('q') ?? '').trim();
  if (text === '') throw new HttpError(400, 'invalid_parameter', 'parameter "q" is required: the words to search for');
  if (text.length > 500) throw new HttpError(400, 'invalid_parameter', 'parameter "q" is limited to 500 characters');
  const inboxText = query.get('inbox');
  const inbox = inboxText ? inboxParam(inboxText) : undefined;
  const limit = integerParam(query, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const found = await app.store.search({ text, limit, ...(inbox ? { inbox } : {}) });
  sendJson(res, 200, { query: text, inbox: inbox ?? null, messages: found.map(presentSummary) });
}
