/**
 * `GET /api/v1/webhooks/deliveries`: the webhook queue as it stands, newest first, public like
 * the policy API: each delivery's event, message, state (pending, delivered, failed), attempts,
 * next attempt, last status, error and latency, plus the counts by state. Endpoint URLs are
 * shown without credentials or query string (endpoints.ts `shownUrl`), where tokens live.
 */
import type { DeliveryState } from '../../webhooks/queue.js';
import { shownUrl } from '../../webhooks/endpoints.js';
import { badParameter, HttpError } from '../errors.js';
import { integerParam, onlyParams } from '../params.js';
import { sendJson } from '../reply.js';
import type { Handler } from '../router.js';

const STATES: readonly DeliveryState[] = ['pending', 'delivered', 'failed'];
const iso = (ms: number | null): string | null => (ms === null || ms === 0 ? null : new Date(ms).toISOString());

export const listDeliveries: Handler = ({ app, res, query }) => {
  const webhooks = app.webhooks;
  if (!webhooks) throw new HttpError(404, 'not_found', 'this server has no webhooks');
  onlyParams(query, ['state', 'limit']);
  const state = query.get('state');
  if (state !== null && !STATES.includes(state as DeliveryState)) throw badParameter('state', `must be one of ${STATES.join(', ')}`);
  const limit = integerParam(query, 'limit', 100, 1, 1000);
  const deliveries = webhooks.list({ limit, ...(state ? { state: state as DeliveryState } : {}) }).map((d) => ({
    id: d.id,
    webhookId: d.webhookId,
    url: shownUrl(d.url),
    event: d.event,
    messageId: d.messageId,
    inbox: d.inbox,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptMs) : null,
    createdAt: iso(d.createdMs),
    lastAttemptAt: iso(d.lastAttemptMs),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    lastLatencyMs: d.lastLatencyMs,
  }));
  sendJson(res, 200, { counts: webhooks.counts(), deliveries });
};
