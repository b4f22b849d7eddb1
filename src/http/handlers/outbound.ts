/**
 * `GET /api/v1/inboxes/{inbox}/outbound`: which messages of an inbox are outbound copies
 * (--capture-outbound), newest first, for the web UI's Outbound tab. Ids only: the UI has the
 * summaries from the inbox listing already.
 */
import { inboxParam } from '../params.js';
import { sendJson } from '../reply.js';
import type { RequestContext } from '../router.js';

/** As many as the largest inbox listing page. */
const MAX_IDS = 500;

export async function listOutbound({ params, res, app }: RequestContext): Promise<void> {
  const inbox = inboxParam(params.inbox!);
  sendJson(res, 200, { inbox, capture: app.outbound !== undefined, ids: app.outbound?.list(inbox, MAX_IDS) ?? [] });
}
