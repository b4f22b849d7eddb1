/**
 * What a webhook says, in the Standard Webhooks payload shape `{ type, timestamp, data }`.
 *
 * `message.received`: `data` is the message's summary exactly as the API presents it
 * (`GET /api/v1/messages/{id}` less the body: codes, links and tags included) plus `urls`, the
 * absolute addresses of its JSON, raw and HTML forms and its page in the web UI. The body is
 * built when the first attempt is made, from the store's `get`, which always answers with the
 * full parse, so codes and links are final even if the background indexer has not run yet. A
 * message deleted before its first attempt is announced with `data.deleted: true` and only its
 * id, inbox and urls.
 *
 * `message.deleted`: `data` is `{ id, inbox }`.
 */
import { presentSummary, type TagsOf } from '../http/present.js';
import type { Store } from '../store/types.js';
import type { Delivery } from './queue.js';

export interface PayloadDeps {
  store: Pick<Store, 'get'>;
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
  const message = await deps.store.get(id);
  const data = message ? { ...presentSummary(message, deps.tagsOf), urls } : { id, inbox, deleted: true, urls };
  return JSON.stringify({ type: delivery.event, timestamp, data });
}
