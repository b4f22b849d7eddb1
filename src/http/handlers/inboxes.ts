/**
 * Inboxes: the listing (the API's hot path: one indexed query, then plain copying into the
 * response, or a cached page while the inbox is unchanged), deleting a whole inbox, and full-text search.
 */
import { HttpError } from '../errors.js';
import { inboxParam, integerParam } from '../params.js';
import { presentSummary } from '../present.js';
import type { ListingCache } from '../listing-cache.js';
import { ownBytes, sendJson, sendJsonBytes, sendNoContent } from '../reply.js';
import type { Handler, RequestContext } from '../router.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** The listing handler, answering repeated polls of an unchanged inbox from `cache`. */
export function listMessages(cache: ListingCache): Handler {
  return async ({ params, query, res, app }) => {
    const inbox = inboxParam(params.inbox!);
    const limit = integerParam(query, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const offset = integerParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const key = `${limit}:${offset}`;
    let body = cache.get(inbox, key);
    if (body === null) {
      const token = cache.token();
      const page = await app.store.list(inbox, { limit, offset });
      body = ownBytes(JSON.stringify({ inbox: page.inbox, total: page.total, messages: page.messages.map((m) => presentSummary(m, app.tagsOf)) }));
      cache.set(inbox, key, body, token);
    }
    sendJsonBytes(res, 200, body);
  };
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
  sendJson(res, 200, { query: text, inbox: inbox ?? null, messages: found.map((m) => presentSummary(m, app.tagsOf)) });
}
