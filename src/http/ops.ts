/**
 * Operations endpoints: `/healthz` for load balancers and orchestrators (200 while the store
 * answers, 503 otherwise) and `/metrics` in the Prometheus text format, with the store gauges
 * refreshed at scrape time so they are never staler than the scrape itself.
 */
import { errorBody } from './errors.js';
import { sendBytes, sendJson, sendJsonText } from './reply.js';
import type { RequestContext } from './router.js';

export async function healthz({ res, app }: RequestContext): Promise<void> {
  try {
    const stats = await app.store.stats();
    sendJson(res, 200, { status: 'ok', messages: stats.messages });
  } catch {
    sendJsonText(res, 503, errorBody('unavailable', 'the store is not answering'));
  }
}

export async function metrics({ res, app }: RequestContext): Promise<void> {
  const { registry, storeMessages, storeBytes } = app.metrics;
  const stats = await app.store.stats();
  storeMessages.set(stats.messages);
  storeBytes.set(stats.bytes);
  sendBytes(res, 200, await registry.metrics(), { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
}
