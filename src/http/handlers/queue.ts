/**
 * The relay queue you can see (issue 16 §4). Reads are public like inboxes; the calls that send
 * or change mail need the admin token (admin.ts):
 *
 * - `GET /api/v1/queue` — messages newest first, each with its recipients' states and next retry;
 * - `GET /api/v1/queue/{id}` — the same for one message plus every attempt (time, host, reply);
 * - `POST /api/v1/queue/{id}/retry` — make its waiting recipients due now (admin);
 * - `DELETE /api/v1/queue/{id}` — drop it from the queue, undelivered recipients included (admin);
 * - `POST /api/v1/messages/{id}/release` `{"to": [...], "from"?: ...}` — relay a stored message's
 *   raw bytes through the queue, as Mailpit's release (admin: a public release would make any
 *   visitor's browser an open relay).
 */
import type { DurableRelayQueue } from '../../relay/relay-queue.js';
import type { QueuedMessageInfo, QueuedRecipient, Attempt } from '../../relay/queue-store.js';
import { parseMailbox } from '../../mail/address.js';
import { requireAdmin } from '../admin.js';
import type { HttpDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { integerParam, messageIdParam } from '../params.js';
import { sendJson, sendNoContent } from '../reply.js';
import type { Handler, RequestContext, Route } from '../router.js';

/** The HTTP deps with the relay queue app.ts puts in AppParts (absent: no relay). */
export type QueueDeps = HttpDeps & { relayQueue?: DurableRelayQueue };

export const MAX_RELEASE_RECIPIENTS = 100;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function presentRecipient(r: QueuedRecipient): Record<string, unknown> {
  return { address: r.address, state: r.state, attempts: r.attempts, nextAttemptAt: iso(r.nextAttemptAtMs), lastReply: r.lastReply };
}

function presentMessage(m: QueuedMessageInfo): Record<string, unknown> {
  return { id: m.id, mailFrom: m.mailFrom, origin: m.origin, sourceId: m.sourceId, size: m.size, createdAt: iso(m.createdAtMs) };
}

const presentAttempt = (a: Attempt): Record<string, unknown> => ({ at: iso(a.atMs), host: a.host, reply: a.reply, outcome: a.outcome });

function queueOf(app: QueueDeps): DurableRelayQueue {
  if (!app.relayQueue) throw new HttpError(404, 'not_found', 'this server has no relay queue');
  return app.relayQueue;
}

function queueIdParam(text: string | undefined): number {
  if (!/^[1-9]\d{0,14}$/.test(text ?? '')) throw new HttpError(400, 'invalid_parameter', 'a queue id is a whole number ≥ 1');
  return Number(text);
}

function jsonBody(request: RequestContext): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'the body must be JSON, e.g. {"to": ["someone@example.org"]}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'bad_request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function address(value: unknown, name: string): string {
  const parsed = typeof value === 'string' ? parseMailbox(value.trim()) : null;
  if (!parsed?.ok) throw new HttpError(400, 'invalid_parameter', `"${name}" must hold addresses like someone@example.org`);
  return parsed.mailbox.address;
}

export function queueRoutes(context: QueueDeps): Route[] {
  const list: Handler = ({ res, query }) => {
    const queue = queueOf(context);
    const limit = integerParam(query, 'limit', 50, 1, 500);
    const offset = integerParam(query, 'offset', 0, 0, 1_000_000_000);
    const page = queue.list(limit, offset);
    sendJson(res, 200, { total: page.total, messages: page.messages.map((m) => ({ ...presentMessage(m), recipients: m.recipients.map(presentRecipient) })) });
  };
  const get: Handler = ({ res, params }) => {
    const id = queueIdParam(params.id);
    const message = queueOf(context).get(id);
    if (!message) throw notFound(`queued message ${id}`);
    sendJson(res, 200, { ...presentMessage(message), recipients: message.recipients.map((r) => ({ ...presentRecipient(r), attemptLog: r.attemptLog.map(presentAttempt) })) });
  };
  const retry: Handler = ({ req, res, params }) => {
    requireAdmin(req, context.config.adminToken);
    const id = queueIdParam(params.id);
    if (!queueOf(context).retry(id)) throw notFound(`queued message ${id}`);
    sendJson(res, 202, { id });
  };
  const remove: Handler = ({ req, res, params }) => {
    requireAdmin(req, context.config.adminToken);
    const id = queueIdParam(params.id);
    if (!queueOf(context).remove(id)) throw notFound(`queued message ${id}`);
    sendNoContent(res);
  };
  const release: Handler = async (request) => {
    const { req, res, params } = request;
    requireAdmin(req, context.config.adminToken);
    const queue = queueOf(context);
    const id = messageIdParam(params.id!);
    const body = jsonBody(request);
    if (!Array.isArray(body.to) || body.to.length === 0 || body.to.length > MAX_RELEASE_RECIPIENTS) {
      throw new HttpError(400, 'invalid_parameter', `"to" must be a list of 1–${MAX_RELEASE_RECIPIENTS} addresses`);
    }
    const to = [...new Set(body.to.map((a) => address(a, 'to')))];
    const stored = await context.store.get(id);
    const raw = stored ? await context.store.raw(id) : null;
    if (!stored || !raw) throw notFound(`message ${id}`);
    const mailFrom = body.from === undefined ? stored.envelope.mailFrom : body.from === '' ? '' : address(body.from, 'from');
    const queueId = await queue.enqueue({ mailFrom, recipients: to, raw, origin: 'release', sourceId: id });
    sendJson(res, 202, { queueId, to });
  };
  return [
    { method: 'GET', path: '/api/v1/queue', handler: list },
    { method: 'GET', path: '/api/v1/queue/{id}', handler: get },
    { method: 'POST', path: '/api/v1/queue/{id}/retry', handler: retry },
    { method: 'DELETE', path: '/api/v1/queue/{id}', handler: remove },
    { method: 'POST', path: '/api/v1/messages/{id}/release', handler: release },
  ];
}
