/**
 * What a webhook says, in the Standard Webhooks payload shape `{ type, timestamp, data }`.
 *
 * `message.received`: `data` is the message's summary exactly as the API presents it
 * (`GET /api/v1/messages/{id}` less the body: codes, links and tags included) plus `urls`, the
 * absolute addresses of its JSON, raw and HTML forms and its page in the web UI. The body is
 * built when the first attempt is made, from the store's `get` once the store shows the message
 * (its summary final: codes and links included), and kept for every retry. A
 * message deleted before its first attempt is announced with `data.deleted: true` and only its
 * id, inbox and urls.
 *
 * `message.deleted`: `data` is `{ id, inbox }`.
 */
import { presentSummary, type TagsOf } from '../http/present.js';
import type { EventBus } from '../events/bus.js';
import type { MessageId, StoredMessage, Store } from '../store/types.js';
import type { Delivery } from './queue.js';

export interface PayloadDeps {
  store: Pick<Store, 'get' | 'nextId'>;
  /** The store's announcements: a message committed but not shown yet is waited for (below). */
  events?: Pick<EventBus, 'subscribe'>;
  /** e.g. `https://mail.example.com` (no trailing slash): --public-url, or the HTTP listener's own address. */
  publicUrl: () => string;
  tagsOf: TagsOf;
}

export function messageUrls(base: string, id: number): { json: string; raw: string; html: string; web: string } {
  return {
    json: `${base}/api/v1/messages/${id}`,
    raw: `${base}/api/v1/messages/${id}/raw`,
    html: `${base}/api/v1/messages/${id}/html`,
    web: `${base}/message/${id}`,
  };
}

export async function payloadBody(delivery: Delivery, deps: PayloadDeps, nowMs: number): Promise<string> {
  const timestamp = new Date(nowMs).toISOString();
  const { messageId: id, inbox } = delivery;
  if (delivery.event === 'message.deleted') return JSON.stringify({ type: delivery.event, timestamp, data: { id, inbox } });
  const urls = messageUrls(deps.publicUrl(), id);
  const message = await shownMessage(deps, id, inbox);
  const data = message ? { ...presentSummary(message, deps.tagsOf), urls } : { id, inbox, deleted: true, urls };
  return JSON.stringify({ type: delivery.event, timestamp, data });
}

/** How long a first attempt waits for a committed message to be shown before calling it deleted. */
const SHOWN_WAIT_MS = 30_000;

/**
 * The message as the store shows it. The event is queued at ingest, before the 250, and the
 * store shows a message only once its parse has committed, a few milliseconds later: until then
 * `get` answers null, as it does for a deleted message; an id at or past the inbox's `nextId` was
 * never shown. Such a message is waited for — shown or deleted — before the body is built
 * (subscribed before asking, so the store's word cannot slip by).
 */
async function shownMessage(deps: PayloadDeps, id: MessageId, inbox: string): Promise<StoredMessage | null> {
  if (!deps.events) return deps.store.get(id);
  let settle: () => void = () => {};
  const told = new Promise<void>((resolve) => (settle = resolve));
  const unsubscribe = deps.events.subscribe((event) => {
    if (event.id === id && event.type !== 'message.flags') settle();
  });
  const timer = setTimeout(() => settle(), SHOWN_WAIT_MS);
  try {
    const now = await deps.store.get(id);
    // Below the inbox's next id it was shown once: null then means deleted, nothing to wait for.
    if (now || id < (await deps.store.nextId(inbox))) return now;
    await told;
    return await deps.store.get(id);
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}
