/**
 * `GET /api/v1/inboxes/{inbox}/wait?after={id}&timeout={seconds}`: long-poll for the next message.
 *
 * Ids are strictly ascending in commit order (store/types.ts), so "newer than `after`" is exact
 * and a message that arrives between two calls is never missed: the caller passes the id it
 * last saw. Order matters here: we subscribe to the event bus *before* asking the store, so a
 * message committed between the query and the subscription is still seen (the store publishes
 * only after commit, so the query finds anything published before we subscribed).
 *
 * Without `after`, the cursor is the inbox's newest id at call time: the answer is the first
 * message that arrives after the call. On timeout: 204. A client that hangs up frees its
 * listener and timer at once. The deadline runs on the app's Clock, so a test can move it.
 */
import { HttpError } from './errors.js';
import { inboxParam, integerParam } from './params.js';
import { presentSummary } from './present.js';
import { sendJson, sendNoContent } from './reply.js';
import type { RequestContext } from './router.js';
import type { MessageSummary } from '../store/types.js';

export const MAX_WAIT_SECONDS = 300;
export const DEFAULT_WAIT_SECONDS = 30;

export async function waitForMessage({ params, query, res, app, shutdown }: RequestContext): Promise<void> {
  const inbox = inboxParam(params.inbox!);
  const timeoutSeconds = integerParam(query, 'timeout', DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS);
  const afterText = query.get('after');
  if (afterText !== null && !/^(0|[1-9][0-9]{0,15})$/.test(afterText)) {
    throw new HttpError(400, 'invalid_parameter', 'parameter "after" must be a message id (a whole number)');
  }

  let resolveArrival: (summary: MessageSummary | null) => void = () => {};
  const arrival = new Promise<MessageSummary | null>((resolve) => (resolveArrival = resolve));
  // Until the cursor is known (no `after`: the store is being asked), arrivals are held back.
  let cursor: number | null = afterText === null ? null : Number(afterText);
  const early: MessageSummary[] = [];
  const unsubscribe = app.events.subscribe((event) => {
    if (event.type !== 'message.stored' || event.inbox !== inbox) return;
    if (cursor === null) early.push(event.summary);
    else if (event.id > cursor) resolveArrival(event.summary);
  });
  const timer = app.clock.after(timeoutSeconds * 1000, () => resolveArrival(null));
  const hangUp = (): void => resolveArrival(null);
  res.once('close', hangUp);
  shutdown.addEventListener('abort', hangUp);
  try {
    if (afterText === null) {
      const newest = await app.store.list(inbox, { limit: 1, offset: 0 });
      const known = newest.messages[0]?.id ?? 0;
      cursor = known;
      const next = early.find((summary) => summary.id > known);
      if (next) resolveArrival(next);
    } else {
      const [next] = await app.store.listAfter(inbox, Number(afterText), 1);
      if (next) resolveArrival(next);
    }
    const summary = await arrival;
    if (res.destroyed || res.writableEnded) return;
    if (summary) sendJson(res, 200, presentSummary(summary));
    else sendNoContent(res);
  } finally {
    unsubscribe();
    timer.cancel();
    res.off('close', hangUp);
    shutdown.removeEventListener('abort', hangUp);
  }
}
