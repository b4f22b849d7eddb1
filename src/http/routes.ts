/** The whole HTTP surface in one table: method, path, handler. `openapi.ts` documents the `/api/v1` part. */
import type { HttpDeps } from './deps.js';
import { deleteInbox, listMessages, search } from './handlers/inboxes.js';
import { deleteMessage, getAttachment, getHtml, getMessage, getRaw, getTranscript } from './handlers/messages.js';
import { ListingCache } from './listing-cache.js';
import { MessageCache } from './message-cache.js';
import { OPENAPI_JSON } from './openapi.js';
import { healthz, metrics } from './ops.js';
import { listOutbound } from './handlers/outbound.js';
import { getPolicy, liftBan } from './handlers/policy.js';
import { createRule, deleteRule, getRule, listRules, putRule } from './handlers/rules.js';
import { listDeliveries } from './handlers/webhooks.js';
import { queueRoutes } from './handlers/queue.js';
import { sendJsonText } from './reply.js';
import type { Route } from './router.js';
import { streamEvents } from './sse.js';
import { StaticFiles } from './static.js';
import { waitForMessage } from './wait.js';

export function routes(context: HttpDeps): Route[] {
  const web = new StaticFiles(context.config);
  const listings = new ListingCache(context.events);
  const messages = new MessageCache(context.events);
  return [
    { method: 'GET', path: '/api/v1/inboxes/{inbox}/messages', handler: listMessages(listings) },
    { method: 'DELETE', path: '/api/v1/inboxes/{inbox}', handler: deleteInbox },
    { method: 'GET', path: '/api/v1/inboxes/{inbox}/wait', handler: waitForMessage },
    { method: 'GET', path: '/api/v1/messages/{id}', handler: getMessage(messages) },
    { method: 'DELETE', path: '/api/v1/messages/{id}', handler: deleteMessage },
    { method: 'GET', path: '/api/v1/messages/{id}/raw', handler: getRaw },
    { method: 'GET', path: '/api/v1/messages/{id}/html', handler: getHtml },
    { method: 'GET', path: '/api/v1/messages/{id}/smtp', handler: getTranscript },
    { method: 'GET', path: '/api/v1/messages/{id}/attachments/{index}', handler: getAttachment },
    { method: 'GET', path: '/api/v1/search', handler: search },
    { method: 'GET', path: '/api/v1/events', handler: streamEvents },
    { method: 'GET', path: '/api/v1/policy', handler: getPolicy },
    { method: 'DELETE', path: '/api/v1/policy/bans/{id}', handler: liftBan },
    // Mail that acts (issue 17): webhooks and routing rules.
    { method: 'GET', path: '/api/v1/webhooks/deliveries', handler: listDeliveries },
    { method: 'GET', path: '/api/v1/rules', handler: listRules },
    { method: 'POST', path: '/api/v1/rules', handler: createRule },
    { method: 'GET', path: '/api/v1/rules/{name}', handler: getRule },
    { method: 'PUT', path: '/api/v1/rules/{name}', handler: putRule },
    { method: 'DELETE', path: '/api/v1/rules/{name}', handler: deleteRule },
    // --- relay queue and release (issue 16, relay part) ---
    ...queueRoutes(context),
    { method: 'GET', path: '/queue', handler: web.page },
    { method: 'GET', path: '/queue/{id}', handler: web.page },
    // --- end relay queue ---
    { method: 'GET', path: '/api/v1/openapi.json', handler: ({ res }) => sendJsonText(res, 200, OPENAPI_JSON) },
    // --- outbound copies (issue 16, part "submit") ---
    { method: 'GET', path: '/api/v1/inboxes/{inbox}/outbound', handler: listOutbound },
    // --- end outbound ---
    { method: 'GET', path: '/healthz', handler: healthz },
    { method: 'GET', path: '/metrics', handler: metrics },
    { method: 'GET', path: '/', handler: web.page },
    { method: 'GET', path: '/inbox/{inbox}', handler: web.page },
    { method: 'GET', path: '/message/{id}', handler: web.page },
    { method: 'GET', path: '/policy', handler: web.page },
    { method: 'GET', path: '/webhooks', handler: web.page },
    { method: 'GET', path: '/rules', handler: web.page },
    { method: 'GET', path: '/assets/{*rest}', handler: web.file },
  ];
}
